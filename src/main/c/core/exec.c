/* What the command inherits, and its exec: the child's last steps, after
 * pivot_root(2).  Signal dispositions and mask, RLIMIT_NOFILE, descriptors
 * 0-2 and every other descriptor are set as the caller had them or as
 * docker run gives them, then the command is looked up in its own PATH and
 * run, under --init's PID 1 if asked.  System calls only: the child may
 * share the parent's memory until the exec (container.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec.h"
#include "init_program.h"
#include "step.h"
#include "trace.h"

/* glibc 2.31's headers (Ubuntu 20.04, Debian 11) have no number for it. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* A descriptor 0-2 the caller closed would be the next one we open: a lock
 * or the report pipe, which the command would then hold as its stdin.  As
 * a daemon does, put /dev/null there first; the command gets it too. */
void
cfs_cover_closed_stdio(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
            return;
}

/* The JVM blocks and handles signals of its own, and the parent ignores
 * SIGINT/SIGQUIT while the container runs; ignored dispositions and the mask
 * survive execve(2), so the command would inherit them.  glibc's sigaction()
 * refuses its own signals 32 and 33, which a parent may have left ignored too,
 * so the reset goes to rt_sigaction(2) directly.  SIG_DFL needs no restorer,
 * and handler, flags, restorer, mask is the kernel's layout on x86_64 and
 * aarch64 (asm-generic/signal.h). */
int
cfs_reset_signals(cfs_error_t *err)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long long mask;
    } dfl = { SIG_DFL, 0, NULL, 0 };
    unsigned long long none = 0;

    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP
            && syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask) < 0)
            return cfs_fail(err, CFS_STEP_SIGNALS, "");
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none) < 0)
        return cfs_fail(err, CFS_STEP_SIGNALS, "");
    return 0;
}

/* The JVM raises its own soft RLIMIT_NOFILE to the hard limit at start-up
 * (java(1), -XX:-MaxFDLimit), and the command would inherit that: select(2)
 * breaks past FD_SETSIZE.  The front end says what the caller had. */
int
cfs_restore_nofile(const args_t *args, cfs_error_t *err)
{
    struct rlimit lim;

    if (args->nofile == 0)
        return 0;
    if (getrlimit(RLIMIT_NOFILE, &lim) < 0)
        return cfs_fail(err, CFS_STEP_LIMITS, "");
    if (args->nofile < lim.rlim_max)
        lim.rlim_cur = args->nofile;
    if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
        return cfs_fail(err, CFS_STEP_LIMITS, "");
    return 0;
}

static const struct {
    const char *name;
    int resource;
} RLIMIT_NAMES[] = {
    { "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_FSIZE", RLIMIT_FSIZE },
    { "RLIMIT_DATA", RLIMIT_DATA },         { "RLIMIT_STACK", RLIMIT_STACK },
    { "RLIMIT_CORE", RLIMIT_CORE },         { "RLIMIT_RSS", RLIMIT_RSS },
    { "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_NOFILE", RLIMIT_NOFILE },
    { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_AS", RLIMIT_AS },
    { "RLIMIT_LOCKS", RLIMIT_LOCKS },       { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
    { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
    { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

/* A limit as a word: "unlimited" for RLIM_INFINITY. */
static void
limit_word(unsigned long long value, char *buf, size_t size)
{
    if (value == (unsigned long long)RLIM_INFINITY)
        snprintf(buf, size, "unlimited");
    else
        snprintf(buf, size, "%llu", value);
}

int
cfs_prepare_rlimits(const args_t *args, struct cfs_rlimits *limits, cfs_error_t *err)
{
    if (args->nrlimits > CFS_RLIMITS) {
        errno = E2BIG;
        return cfs_fail(err, CFS_STEP_LIMITS, "process.rlimits");
    }
    for (int i = 0; i < args->nrlimits; i++) {
        const struct cfs_rlimit *r = &args->rlimits[i];
        char soft[24], hard[24], now[24];
        struct rlimit have;
        size_t n;

        limits->resources[i] = -1;
        for (n = 0; n < sizeof RLIMIT_NAMES / sizeof RLIMIT_NAMES[0]; n++)
            if (strcmp(RLIMIT_NAMES[n].name, r->type) == 0)
                limits->resources[i] = RLIMIT_NAMES[n].resource;
        if (limits->resources[i] < 0) {
            errno = EINVAL;
            return cfs_fail(err, CFS_STEP_LIMITS, r->type);
        }
        if (getrlimit(limits->resources[i], &have) < 0)
            return cfs_fail(err, CFS_STEP_LIMITS, r->type);
        limit_word(r->soft, soft, sizeof soft);
        limit_word(r->hard, hard, sizeof hard);
        limit_word(have.rlim_max, now, sizeof now);
        snprintf(limits->labels[i], sizeof limits->labels[i],
                 "%s soft %s hard %s (the hard limit here is %s)", r->type, soft, hard, now);
    }
    return 0;
}

int
cfs_set_rlimits(const args_t *args, const struct cfs_rlimits *limits, cfs_error_t *err)
{
    for (int i = 0; i < args->nrlimits; i++) {
        struct rlimit lim
            = { .rlim_cur = args->rlimits[i].soft, .rlim_max = args->rlimits[i].hard };

        if (setrlimit(limits->resources[i], &lim) < 0)
            return cfs_fail(err, CFS_STEP_LIMITS, limits->labels[i]);
    }
    return 0;
}

int
cfs_set_umask(const args_t *args)
{
    if (args->set_umask)
        umask((mode_t)args->umask);
    return 0;
}

/* Where the caller had no descriptor 0, 1 or 2, the JVM's own files (its
 * modules, the jar) take the number, and the command would read them: it
 * gets /dev/null there instead, as with docker run. */
int
cfs_null_closed_stdio(const args_t *args, cfs_error_t *err)
{
    for (int fd = 0; fd <= 2; fd++) {
        int null;

        if (!(args->null_stdio & (1 << fd)))
            continue;
        null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, fd) < 0)
            return cfs_fail(err, CFS_STEP_STDIO, "/dev/null");
        close(null);
    }
    return 0;
}

/* Calls act(fd, context) for each descriptor listed in dir, an open
 * /proc/self/fd, read with getdents64(2) (no malloc: this runs between a
 * clone and an exec).  0 at its end, or -1 with errno. */
static long
for_each_listed_fd(int dir, void (*act)(int fd, void *context), void *context)
{
    char buf[4096];
    long n;

    while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct {
                unsigned long long ino;
                long long off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            int fd = 0;
            for (const char *c = d->name; *c >= '0' && *c <= '9'; c++)
                fd = fd * 10 + (*c - '0');
            if (d->name[0] >= '0' && d->name[0] <= '9')
                act(fd, context);
            off += d->reclen;
        }
    }
    return n < 0 ? -1 : 0;
}

/* What mark_cloexec and close_unkept leave alone. */
struct fd_walk {
    int first; /* the lowest descriptor to mark */
    int keep;  /* a descriptor to keep open */
    int dir;   /* the walk's own */
};

static void
mark_cloexec(int fd, void *context)
{
    const struct fd_walk *w = context;

    if (fd >= w->first && fd != w->dir)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void
close_unkept(int fd, void *context)
{
    const struct fd_walk *w = context;

    if (fd > 2 && fd != w->keep && fd != w->dir)
        close(fd);
}

/* The JVM holds dozens of descriptors (jars, sockets, epoll) without
 * O_CLOEXEC.  Mark all above 2 close-on-exec rather than closing them, so the
 * error pipe still works until execvp succeeds (close_range(2), Linux 5.11);
 * older kernels get the same by walking /proc/self/fd with getdents64. */
int
cfs_mark_fds_cloexec(int first, cfs_error_t *err)
{
    struct fd_walk walk = { .first = first, .keep = -1, .dir = -1 };
    long result;

    if (syscall(SYS_close_range, (unsigned int)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
    walk.dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (walk.dir < 0)
        return cfs_fail(err, CFS_STEP_FDS, "/proc/self/fd");
    result = for_each_listed_fd(walk.dir, mark_cloexec, &walk);
    close(walk.dir);
    return result < 0 ? cfs_fail(err, CFS_STEP_FDS, "/proc/self/fd") : 0;
}

/* Close every descriptor above 2 but keep, rather than mark it: exec's
 * process is in the container's PID namespace before its exec (enter.c),
 * where a process of the container with CAP_SYS_PTRACE opens /proc/PID/fd/N
 * as its own, and a descriptor of the JVM's jar reopens read-write there.
 * close_range(2) (Linux 5.9); before it, the entries of fd_dir, the host's
 * /proc/self/fd opened before the container's mount namespace hid it. */
int
cfs_close_fds_but(int keep, int fd_dir, cfs_error_t *err)
{
    struct fd_walk walk = { .first = 3, .keep = keep, .dir = fd_dir };
    long result;

    if ((keep == 3 || syscall(SYS_close_range, 3U, (unsigned int)keep - 1, 0U) == 0)
        && syscall(SYS_close_range, (unsigned int)keep + 1, ~0U, 0U) == 0)
        return 0;
    result = for_each_listed_fd(fd_dir, close_unkept, &walk);
    close(fd_dir);
    return result < 0 ? cfs_fail(err, CFS_STEP_FDS, "/proc/self/fd") : 0;
}

/* The PATH the command is looked up in: its own environment's, else the
 * default of execvp(3) (confstr(_CS_PATH)). */
static const char *
command_path(char *const envp[])
{
    for (char *const *e = envp; e != NULL && *e != NULL; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            return *e + 5;
    return "/bin:/usr/bin";
}

/* The next place along a PATH to look for NAME: DIR/NAME for the directory
 * *path starts with (NAME alone for an empty one, the current directory, as
 * execvp(3) takes it) into buf, and *path moved past it.  1 with a candidate,
 * 0 when it does not fit buf, -1 past the last directory. */
static int
next_candidate(const char **path, const char *name, char *buf, size_t size)
{
    const char *dir = *path, *end;
    size_t dir_len, slash, len = strlen(name);

    if (dir == NULL)
        return -1;
    end = strchrnul(dir, ':');
    dir_len = (size_t)(end - dir);
    *path = *end == '\0' ? NULL : end + 1;
    slash = dir_len > 0 && dir[dir_len - 1] != '/';
    if (dir_len + slash + len + 1 > size)
        return 0;
    memcpy(buf, dir, dir_len);
    buf[dir_len] = '/';
    memcpy(buf + dir_len + slash, name, len + 1);
    return 1;
}

/* execve(2) says ENOENT both when the file is missing and when the file is
 * there but its #! interpreter or its ELF loader (PT_INTERP: a glibc
 * binary on musl) is not.  A shell says 126 for the second, and so do we:
 * look the command up as exec_in_path did and see whether it exists.  System
 * calls and a stack buffer only. */
static void
explain_enoent(const args_t *args, char *const envp[], cfs_error_t *err)
{
    const char *name = args->argv[0];
    const char *path = command_path(envp);
    char candidate[PATH_MAX];
    struct stat st;

    if (strchr(name, '/') != NULL) {
        if (stat(name, &st) == 0 && S_ISREG(st.st_mode))
            cfs_set_error(err, CFS_STEP_LOADER, name, ENOENT);
        return;
    }
    for (int found; (found = next_candidate(&path, name, candidate, sizeof candidate)) >= 0;)
        if (found && stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
            cfs_set_error(err, CFS_STEP_LOADER, candidate, ENOENT);
            return;
        }
}

/* execvp(3), with two differences: PATH is looked up in the command's own
 * environment, which it also gets, and environ is left alone, for the child
 * shares the parent's memory (container.c, clone_and_wait); and a file the
 * kernel does not recognise as a program (ENOEXEC: a bad ELF header, a
 * script without #!) is not handed to /bin/sh, as execvp(3) would: it fails
 * with "Exec format error", as docker run and runc do.  The kernel itself
 * runs a #! script (binfmt_script).  As glibc's execvp: a name with a '/' is
 * run as it is; otherwise each directory of PATH in turn, going on past one
 * where the file is missing or cannot be reached, and EACCES if a file was
 * found but none could be run.  Returns only on failure. */
static void
exec_in_path(char *const argv[], char *const envp[])
{
    const char *name = argv[0];
    const char *path = command_path(envp);
    char candidate[PATH_MAX];
    int eacces = 0;

    if (*name == '\0') {
        errno = ENOENT; /* as execvp(3): no file has an empty name */
        return;
    }
    if (strchr(name, '/') != NULL) {
        execve(name, argv, envp);
        return;
    }
    for (int found; (found = next_candidate(&path, name, candidate, sizeof candidate)) >= 0;) {
        if (!found)
            continue;
        execve(candidate, argv, envp);
        switch (errno) {
        case EACCES:
            eacces = 1;
            break;
        case ENOENT:
        case ENOTDIR:
        case ENODEV:
        case ESTALE:
        case ETIMEDOUT:
            break;
        default:
            return;
        }
    }
    if (eacces)
        errno = EACCES;
}

/* The last step: execvp(3) the command in its own environment.  Returns
 * only on failure, with the exit status a shell would give and *err filled
 * (CFS_STEP_LOADER when the command is there but its interpreter or loader
 * is not). */
int
cfs_exec_command(const args_t *args, char *const envp[], cfs_error_t *err)
{
    cfs_pause(args, CFS_PAUSE_EXEC);
    cfs_trace_execvp(args->trace, args->argv);
    exec_in_path(args->argv, envp);
    cfs_set_error(err, CFS_STEP_EXEC, args->argv[0], errno);
    if (err->err == ENOENT)
        explain_enoent(args, envp, err);
    return cfs_exit_status(err);
}

/* --init: the command runs in a child of ours, and we become the
 * container's PID 1, the init program (init_program.c, init.c): an exec, so
 * that nothing of the front end (its descriptors, all close-on-exec by now,
 * its memory, environment and command line) stays in the container.  Every
 * signal is blocked before the fork, as cfs_init wants it; the command
 * unblocks them before its exec.  The command waits for our exec (end of
 * file on a close-on-exec pipe) before its own: until then we still hold
 * the front end's descriptors, and a command quick to read /proc/1/fd
 * would reach them.  The parent reads end of file on the report pipe once
 * both execs have closed their copies; should ours fail, the command is
 * killed and the report says why. */
int
cfs_start_under_init(const args_t *args, char *const envp[], int init_fd, cfs_error_t *err)
{
    sigset_t all, none;
    int exec_done[2];
    long pid;
    char byte;

    sigfillset(&all);
    sigemptyset(&none);
    if (pipe2(exec_done, O_CLOEXEC) < 0) {
        cfs_fail(err, CFS_STEP_INIT, "");
        return cfs_exit_status(err);
    }
    sigprocmask(SIG_SETMASK, &all, NULL);
    pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
    if (pid < 0) {
        cfs_fail(err, CFS_STEP_INIT, "");
        return cfs_exit_status(err);
    }
    if (pid == 0) {
        close(exec_done[1]);
        while (read(exec_done[0], &byte, 1) < 0 && errno == EINTR) {
        }
        close(exec_done[0]);
        sigprocmask(SIG_SETMASK, &none, NULL);
        return cfs_exec_command(args, envp, err);
    }
    close(exec_done[0]);
    cfs_exec_init_program(init_fd, (pid_t)pid, envp);
    cfs_fail(err, CFS_STEP_INIT, "container-fs-init");
    kill((pid_t)pid, SIGKILL);
    return cfs_exit_status(err);
}

int
cfs_set_oom_score_adj(const args_t *args, pid_t pid, cfs_error_t *err)
{
    char path[64];
    int fd;

    if (!args->set_oom_score_adj)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/oom_score_adj", (long)pid);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || dprintf(fd, "%d", args->oom_score_adj) < 0) {
        cfs_fail(err, CFS_STEP_PREPARE, path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return close(fd) < 0 ? cfs_fail(err, CFS_STEP_PREPARE, path) : 0;
}
