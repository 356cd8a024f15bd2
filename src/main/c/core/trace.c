/* strace-style lines built in a fixed buffer and written with write(2):
 * async-signal-safe, so the child can trace between clone and exec.
 * Every function leaves errno as the traced call set it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "step.h"
#include "trace.h"

/* glibc 2.36 has these; the course VM's 2.31 has only the numbers, which
 * are the same on every architecture (asm-generic/unistd.h). */
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#endif
#ifndef FSCONFIG_SET_FLAG /* <linux/mount.h> of Linux 5.2; glibc 2.31's headers lack them */
#define FSCONFIG_SET_FLAG 0
#endif
#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#endif
#ifndef FSCONFIG_CMD_CREATE
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct line {
    char buf[16384]; /* a 4 KiB option string of non-ASCII bytes is 16 KiB in octal */
    size_t len;
    int truncated; /* the arguments did not fit: marked "...", as strace marks a cut string */
    int in_tail;   /* writing the result: the room kept for it may be used */
};

/* Room kept for ") = -1 ENAMETOOLONG (File name too long)\n" and the like. */
#define TAIL_ROOM 128

static void
put_char(struct line *l, char c)
{
    size_t limit = sizeof l->buf - (l->in_tail ? 1 : TAIL_ROOM);

    if (l->len < limit)
        l->buf[l->len++] = c;
    else
        l->truncated = 1;
}

static void
put_raw(struct line *l, const char *s)
{
    while (*s != '\0')
        put_char(l, *s++);
}

static void
put_number(struct line *l, unsigned long v, unsigned base, int width)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n < width)
        digits[n++] = '0';
    while (n > 0)
        put_char(l, digits[--n]);
}

/* As printf's %#x, which strace uses: 0x1f, but 0 for zero. */
static void
put_hex(struct line *l, unsigned long v)
{
    if (v != 0)
        put_raw(l, "0x");
    put_number(l, v, 16, 0);
}

static void
put_long(struct line *l, long v)
{
    if (v < 0) {
        put_char(l, '-');
        put_number(l, (unsigned long)-v, 10, 0);
    } else {
        put_number(l, (unsigned long)v, 10, 0);
    }
}

/* A C string quoted as strace quotes it (strace's string_quote()), or NULL:
 * C escapes for \f \n \r \t \v, other bytes outside ' '..'~' in octal, as
 * short as possible unless an octal digit follows. */
static void
put_string(struct line *l, const char *s)
{
    static const char escapes[][2] = {
        { '"', '"' },  { '\\', '\\' }, { '\f', 'f' }, { '\n', 'n' },
        { '\r', 'r' }, { '\t', 't' },  { '\v', 'v' },
    };

    if (s == NULL) {
        put_raw(l, "NULL");
        return;
    }
    put_char(l, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        size_t e = 0;

        while (e < sizeof escapes / sizeof escapes[0] && escapes[e][0] != (char)c)
            e++;
        if (e < sizeof escapes / sizeof escapes[0]) {
            put_char(l, '\\');
            put_char(l, escapes[e][1]);
        } else if (c >= ' ' && c <= '~') {
            put_char(l, (char)c);
        } else {
            int digit_follows = s[1] >= '0' && s[1] <= '7';
            put_char(l, '\\');
            put_number(l, c, 8, digit_follows ? 3 : 0);
        }
    }
    put_char(l, '"');
}

static void
put_mount_flags(struct line *l, unsigned long flags)
{
    static const struct {
        unsigned long bit;
        const char *name;
    } names[] = {
        { MS_RDONLY, "MS_RDONLY" },   { MS_NOSUID, "MS_NOSUID" },
        { MS_NODEV, "MS_NODEV" },     { MS_NOEXEC, "MS_NOEXEC" },
        { MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
        { MS_REC, "MS_REC" },         { MS_PRIVATE, "MS_PRIVATE" },
        { MS_SLAVE, "MS_SLAVE" },     { MS_STRICTATIME, "MS_STRICTATIME" },
    };
    int first = 1;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((flags & names[i].bit) == 0)
            continue;
        if (!first)
            put_char(l, '|');
        put_raw(l, names[i].name);
        flags &= ~names[i].bit;
        first = 0;
    }
    if (flags != 0 || first) {
        if (!first)
            put_char(l, '|');
        put_raw(l, flags != 0 ? "0x" : "0");
        if (flags != 0)
            put_number(l, flags, 16, 0);
    }
}

/* The errors these calls can return, named and explained as strace does
 * ("-1 EEXIST (File exists)"): a table, since strerror(3) is not
 * async-signal-safe.  The texts are glibc's. */
static const struct {
    int num;
    const char *name;
    const char *text;
} errors[] = {
    { EPERM, "EPERM", "Operation not permitted" },
    { ENOENT, "ENOENT", "No such file or directory" },
    { EIO, "EIO", "Input/output error" },
    { E2BIG, "E2BIG", "Argument list too long" },
    { ENOEXEC, "ENOEXEC", "Exec format error" },
    { ENOMEM, "ENOMEM", "Cannot allocate memory" },
    { EACCES, "EACCES", "Permission denied" },
    { EFAULT, "EFAULT", "Bad address" },
    { ENOTBLK, "ENOTBLK", "Block device required" },
    { EBUSY, "EBUSY", "Device or resource busy" },
    { EEXIST, "EEXIST", "File exists" },
    { EXDEV, "EXDEV", "Invalid cross-device link" },
    { ENODEV, "ENODEV", "No such device" },
    { ENOTDIR, "ENOTDIR", "Not a directory" },
    { EISDIR, "EISDIR", "Is a directory" },
    { EINVAL, "EINVAL", "Invalid argument" },
    { EMFILE, "EMFILE", "Too many open files" },
    { ETXTBSY, "ETXTBSY", "Text file busy" },
    { ENOSPC, "ENOSPC", "No space left on device" },
    { EROFS, "EROFS", "Read-only file system" },
    { ENAMETOOLONG, "ENAMETOOLONG", "File name too long" },
    { ENOSYS, "ENOSYS", "Function not implemented" },
    { ELOOP, "ELOOP", "Too many levels of symbolic links" },
    { EUSERS, "EUSERS", "Too many users" },
    { ECHILD, "ECHILD", "No child processes" },
    { EINTR, "EINTR", "Interrupted system call" },
    { EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
};

/* strace numbers real-time signals from the kernel's first one, not from
 * glibc's SIGRTMIN (which reserves two for itself, signal(7)). */
#define KERNEL_SIGRTMIN 32

/* strace's names for the signals a waitpid status can name. */
static const char *const signal_names[] = {
    [SIGHUP] = "SIGHUP",       [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT",
    [SIGILL] = "SIGILL",       [SIGTRAP] = "SIGTRAP",     [SIGABRT] = "SIGABRT",
    [SIGBUS] = "SIGBUS",       [SIGFPE] = "SIGFPE",       [SIGKILL] = "SIGKILL",
    [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV",     [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE",     [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM",
    [SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD",     [SIGCONT] = "SIGCONT",
    [SIGSTOP] = "SIGSTOP",     [SIGTSTP] = "SIGTSTP",     [SIGTTIN] = "SIGTTIN",
    [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",       [SIGXCPU] = "SIGXCPU",
    [SIGXFSZ] = "SIGXFSZ",     [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
    [SIGWINCH] = "SIGWINCH",   [SIGIO] = "SIGIO",         [SIGPWR] = "SIGPWR",
    [SIGSYS] = "SIGSYS",
};

static void
put_signal(struct line *l, int sig)
{
    if (sig > 0 && (size_t)sig < sizeof signal_names / sizeof signal_names[0]
        && signal_names[sig] != NULL) {
        put_raw(l, signal_names[sig]);
    } else if (sig >= KERNEL_SIGRTMIN && sig < NSIG) {
        put_raw(l, "SIGRT_");
        put_long(l, sig - KERNEL_SIGRTMIN);
    } else {
        put_long(l, sig);
    }
}

static void
emit(const struct line *l)
{
    size_t done = 0;

    while (done < l->len) {
        ssize_t n = write(STDERR_FILENO, l->buf + done, l->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
}

/* ") = 0\n", or ") = -1 ENOENT (No such file or directory)\n" as strace
 * writes it. */
static void
put_result(struct line *l, long result, int errnum)
{
    size_t e = 0;

    l->in_tail = 1;
    if (l->truncated)
        put_raw(l, "...");
    put_raw(l, ") = ");
    put_long(l, result);
    if (result < 0) {
        while (e < sizeof errors / sizeof errors[0] && errors[e].num != errnum)
            e++;
        if (e < sizeof errors / sizeof errors[0]) {
            put_char(l, ' ');
            put_raw(l, errors[e].name);
            put_raw(l, " (");
            put_raw(l, errors[e].text);
            put_char(l, ')');
        } else {
            put_raw(l, " E");
            put_long(l, errnum);
        }
    }
    put_char(l, '\n');
}

static void
finish(struct line *l, long result, int errnum)
{
    put_result(l, result, errnum);
    emit(l);
}

/* The call's result, traced when trace is set; errno is left as the call
 * set it. */
static int
report(int trace, struct line *l, int result)
{
    int saved = errno;

    if (!trace)
        return result;
    finish(l, result, saved);
    errno = saved;
    return result;
}

/* Whether to write the call's line: to trace it, or to show it at a --step
 * pause (step.c), in the same words. */
static int
wanted(int trace)
{
    return trace || cfs_pause_armed();
}

/* --step: the call, as it is about to be made, is what the pause shows; it
 * returns once the user has pressed Enter. */
static void
pause_before(struct line *l)
{
    size_t len = l->len;

    if (!cfs_pause_armed())
        return;
    l->in_tail = 1;
    put_raw(l, l->truncated ? "...)" : ")");
    cfs_pause_now(l->buf, l->len);
    l->len = len;
    l->in_tail = 0;
}

int
cfs_traced_mount(int trace, const char *source, const char *target, const char *fstype,
                 unsigned long flags, const char *data)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "mount(");
        put_string(&l, source);
        put_raw(&l, ", ");
        put_string(&l, target);
        put_raw(&l, ", ");
        put_string(&l, fstype);
        put_raw(&l, ", ");
        put_mount_flags(&l, flags);
        put_raw(&l, ", ");
        put_string(&l, data);
        pause_before(&l);
    }
    return report(trace, &l, mount(source, target, fstype, flags, data));
}

int
cfs_traced_fsopen(int trace, const char *fstype)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "fsopen(");
        put_string(&l, fstype);
        put_raw(&l, ", FSOPEN_CLOEXEC");
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC));
}

int
cfs_traced_fsconfig_string(int trace, int fd, const char *key, const char *value)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "fsconfig(");
        put_long(&l, fd);
        put_raw(&l, ", FSCONFIG_SET_STRING, ");
        put_string(&l, key);
        put_raw(&l, ", ");
        put_string(&l, value);
        put_raw(&l, ", 0");
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, key, value, 0));
}

int
cfs_traced_fsconfig_flag(int trace, int fd, const char *key)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "fsconfig(");
        put_long(&l, fd);
        put_raw(&l, ", FSCONFIG_SET_FLAG, ");
        put_string(&l, key);
        put_raw(&l, ", NULL, 0");
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, key, NULL, 0));
}

int
cfs_traced_fsconfig_create(int trace, int fd)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "fsconfig(");
        put_long(&l, fd);
        put_raw(&l, ", FSCONFIG_CMD_CREATE, NULL, NULL, 0");
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
}

/* MOUNT_ATTR_* as strace names them (mount_setattr(2)). */
static void
put_mount_attr(struct line *l, unsigned int attr)
{
    static const struct {
        unsigned int bit;
        const char *name;
    } names[] = {
        { CFS_MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY" },
        { CFS_MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID" },
        { CFS_MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV" },
        { CFS_MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC" },
    };
    int first = 1;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((attr & names[i].bit) == 0)
            continue;
        if (!first)
            put_char(l, '|');
        put_raw(l, names[i].name);
        attr &= ~names[i].bit;
        first = 0;
    }
    if (attr != 0 || first) {
        if (!first)
            put_char(l, '|');
        put_raw(l, attr != 0 ? "0x" : "0");
        if (attr != 0)
            put_number(l, attr, 16, 0);
    }
}

int
cfs_traced_fsmount(int trace, int fd, unsigned int attr)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "fsmount(");
        put_long(&l, fd);
        put_raw(&l, ", FSMOUNT_CLOEXEC, ");
        put_mount_attr(&l, attr);
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attr));
}

/* The kernel's struct mount_attr (linux/mount.h), which glibc 2.31 lacks. */
struct cfs_mount_attr {
    unsigned long long attr_set;
    unsigned long long attr_clr;
    unsigned long long propagation;
    unsigned long long userns_fd;
};

int
cfs_traced_mount_setattr_tree(int trace, const char *path, unsigned int attr_set)
{
    struct cfs_mount_attr attr = { .attr_set = attr_set };
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "mount_setattr(AT_FDCWD, ");
        put_string(&l, path);
        put_raw(&l, ", AT_SYMLINK_NOFOLLOW|AT_RECURSIVE, {attr_set=");
        put_mount_attr(&l, attr_set);
        put_raw(&l, ", attr_clr=0, propagation=0, userns_fd=0}, ");
        put_long(&l, (long)sizeof attr);
        pause_before(&l);
    }
    return report(trace, &l,
                  (int)syscall(SYS_mount_setattr, AT_FDCWD, path,
                               AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &attr, sizeof attr));
}

int
cfs_traced_move_mount(int trace, int fd, const char *target)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "move_mount(");
        put_long(&l, fd);
        put_raw(&l, ", \"\", AT_FDCWD, ");
        put_string(&l, target);
        put_raw(&l, ", MOVE_MOUNT_F_EMPTY_PATH");
        pause_before(&l);
    }
    return report(trace, &l,
                  (int)syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH));
}

int
cfs_traced_umount2(int trace, const char *target, int flags)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "umount2(");
        put_string(&l, target);
        put_raw(&l, flags == MNT_DETACH ? ", MNT_DETACH" : ", 0");
        pause_before(&l);
    }
    return report(trace, &l, umount2(target, flags));
}

int
cfs_traced_mkdir(int trace, const char *path, mode_t mode)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "mkdir(");
        put_string(&l, path);
        put_raw(&l, ", 0");
        put_number(&l, mode, 8, 3);
        pause_before(&l);
    }
    return report(trace, &l, mkdir(path, mode));
}

/* mknodat(2), which glibc's mknod calls, printed as strace prints a
 * character device: mknodat(AT_FDCWD, "dev/null", S_IFCHR|0666, makedev(0x1, 0x3)). */
int
cfs_traced_mknod_char(int trace, const char *path, mode_t perm, unsigned int major,
                      unsigned int minor)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "mknodat(AT_FDCWD, ");
        put_string(&l, path);
        put_raw(&l, ", S_IFCHR|0");
        put_number(&l, perm, 8, 3);
        put_raw(&l, ", makedev(");
        put_hex(&l, major);
        put_raw(&l, ", ");
        put_hex(&l, minor);
        put_raw(&l, ")");
        pause_before(&l);
    }
    return report(trace, &l, mknodat(AT_FDCWD, path, S_IFCHR | perm, makedev(major, minor)));
}

int
cfs_traced_symlink(int trace, const char *target, const char *linkpath)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "symlink(");
        put_string(&l, target);
        put_raw(&l, ", ");
        put_string(&l, linkpath);
        pause_before(&l);
    }
    return report(trace, &l, symlink(target, linkpath));
}

int
cfs_traced_chdir(int trace, const char *path)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "chdir(");
        put_string(&l, path);
        pause_before(&l);
    }
    return report(trace, &l, chdir(path));
}

/* glibc has no wrapper for pivot_root(2). */
int
cfs_traced_pivot_root(int trace, const char *new_root, const char *put_old)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "pivot_root(");
        put_string(&l, new_root);
        put_raw(&l, ", ");
        put_string(&l, put_old);
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_pivot_root, new_root, put_old));
}

/* Printed before the call: when it works, nothing comes back to print. */
void
cfs_trace_execvp(int trace, char *const argv[])
{
    struct line l = { .len = 0 };
    int saved = errno;

    if (!wanted(trace))
        return;
    put_raw(&l, "execvp(");
    put_string(&l, argv[0]);
    put_raw(&l, ", [");
    for (int i = 0; argv[i] != NULL; i++) {
        if (i > 0)
            put_raw(&l, ", ");
        put_string(&l, argv[i]);
    }
    put_char(&l, ']');
    pause_before(&l);
    errno = saved;
    if (!trace)
        return;
    l.len--; /* the ']', written again with what the line ends with */
    l.in_tail = 1;
    put_raw(&l, l.truncated ? "...])\n" : "])\n");
    emit(&l);
    errno = saved;
}

static void
put_clone(struct line *l, int flags)
{
    static const struct {
        int flag;
        const char *name;
    } names[] = {
        { CLONE_NEWNS, "CLONE_NEWNS" },   { CLONE_NEWUTS, "CLONE_NEWUTS" },
        { CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWPID, "CLONE_NEWPID" },
        { CLONE_NEWNET, "CLONE_NEWNET" }, { CLONE_VM, "CLONE_VM" },
        { CLONE_VFORK, "CLONE_VFORK" },
    };

    put_raw(l, "clone(");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].flag) {
            put_raw(l, names[i].name);
            put_char(l, '|');
        }
    put_signal(l, flags & CSIGNAL);
}

/* The line's text, without its newline, as a C string in buf. */
static void
copy_out(const struct line *l, char *buf, size_t size)
{
    size_t len = l->len;

    if (size == 0)
        return;
    if (len > 0 && l->buf[len - 1] == '\n')
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(buf, l->buf, len);
    buf[len] = '\0';
}

void
cfs_trace_clone(int trace, int flags, pid_t pid, int errnum)
{
    struct line l = { .len = 0 };
    int saved = errno;

    if (!trace)
        return;
    put_clone(&l, flags);
    finish(&l, pid, errnum);
    errno = saved;
}

void
cfs_format_clone(int flags, char *buf, size_t size)
{
    struct line l = { .len = 0 };

    put_clone(&l, flags);
    l.in_tail = 1;
    put_char(&l, ')');
    copy_out(&l, buf, size);
}

int
cfs_traced_sethostname(int trace, const char *name)
{
    size_t len = strlen(name);
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "sethostname(");
        put_string(&l, name);
        put_raw(&l, ", ");
        put_long(&l, (long)len);
        pause_before(&l);
    }
    return report(trace, &l, sethostname(name, len));
}

/* prctl(OPTION, ARG): the argument by name when one is given (strace
 * names capabilities too; the number is what capability.h defines). */
int
cfs_traced_prctl(int trace, int option, const char *option_name, unsigned long arg,
                 const char *arg_name)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "prctl(");
        put_raw(&l, option_name);
        put_raw(&l, ", ");
        if (arg_name != NULL)
            put_raw(&l, arg_name);
        else
            put_number(&l, arg, 10, 0);
        pause_before(&l);
    }
    return report(trace, &l, prctl(option, arg, 0UL, 0UL, 0UL));
}

int
cfs_traced_seccomp_filter(int trace, const struct sock_fprog *prog)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=");
        put_number(&l, prog->len, 10, 0);
        put_raw(&l, ", filter=0x");
        put_number(&l, (unsigned long)prog->filter, 16, 0);
        put_char(&l, '}');
        pause_before(&l);
    }
    return report(trace, &l, prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0UL, 0UL));
}

/* glibc has no wrapper for capset(2); data[0] holds capabilities 0-31,
 * data[1] 32-63. */
int
cfs_traced_capset(int trace, unsigned long long effective, unsigned long long permitted,
                  unsigned long long inheritable)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2] = {
        { .effective = (__u32)effective,
          .permitted = (__u32)permitted,
          .inheritable = (__u32)inheritable },
        { .effective = (__u32)(effective >> 32),
          .permitted = (__u32)(permitted >> 32),
          .inheritable = (__u32)(inheritable >> 32) },
    };
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=0x");
        put_number(&l, effective, 16, 0);
        put_raw(&l, ", permitted=0x");
        put_number(&l, permitted, 16, 0);
        put_raw(&l, ", inheritable=");
        if (inheritable != 0)
            put_raw(&l, "0x");
        put_number(&l, inheritable, 16, 0);
        put_char(&l, '}');
        pause_before(&l);
    }
    return report(trace, &l, (int)syscall(SYS_capset, &header, data));
}

int
cfs_traced_ambient_raise(int trace, unsigned long cap)
{
    struct line l = { .len = 0 };

    if (wanted(trace)) {
        put_raw(&l, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, ");
        put_number(&l, cap, 10, 0);
        pause_before(&l);
    }
    return report(trace, &l, prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0UL, 0UL));
}

static void
put_waitpid(struct line *l, pid_t pid, pid_t result, int status, int errnum)
{
    put_raw(l, "waitpid(");
    put_long(l, pid);
    if (result < 0) {
        /* No status was stored: show none rather than a stale one. */
        put_raw(l, ", ..., 0");
        put_result(l, result, errnum);
        return;
    }
    put_raw(l, ", [{");
    if (WIFEXITED(status)) {
        put_raw(l, "WIFEXITED(s) && WEXITSTATUS(s) == ");
        put_long(l, WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        put_raw(l, "WIFSIGNALED(s) && WTERMSIG(s) == ");
        put_signal(l, WTERMSIG(status));
        if (WCOREDUMP(status))
            put_raw(l, " && WCOREDUMP(s)");
    }
    put_raw(l, "}], 0");
    put_result(l, result, errnum);
}

void
cfs_trace_waitpid(int trace, pid_t pid, pid_t result, int status)
{
    struct line l = { .len = 0 };
    int saved = errno;

    if (!trace)
        return;
    put_waitpid(&l, pid, result, status, saved);
    emit(&l);
    errno = saved;
}

void
cfs_format_waitpid(pid_t pid, int status, char *buf, size_t size)
{
    struct line l = { .len = 0 };

    put_waitpid(&l, pid, pid, status, 0);
    copy_out(&l, buf, size);
}
