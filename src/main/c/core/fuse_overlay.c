/* Rootless on Linux before 5.11 (the course VM's 5.4, Debian 11's 5.10):
 * overlayfs cannot be mounted in a user namespace there, so the root is
 * fuse-overlayfs's, the FUSE program podman uses for the same reason.
 *
 * Who runs it matters.  Started by the child, it would live in the
 * container's PID namespace (the container could ptrace it, or read the
 * host through its /proc/PID/root) and in the container's mount namespace,
 * which it would then keep alive itself: nothing would ever unmount it.  So
 * the child opens /dev/fuse and mounts it (in its user namespace: the
 * kernel wants the device opened there, fs/fuse/inode.c), and hands the
 * descriptor to a starter the parent forks.  The starter joins the child's
 * user namespace only, where the user is root (so fuse-overlayfs may give
 * files the range's owners), and runs fuse-overlayfs on /dev/fd/3, which
 * libfuse (3.3 and later) takes as a mounted connection.  It stays in the
 * host's PID and mount namespaces, out of the container's reach.  When the
 * container's last process ends, its mount namespace goes, the connection
 * with it, and fuse-overlayfs exits: after kill -9 of the front end too. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "fuse_overlay.h"
#include "network.h"
#include "trace.h"

#define PROGRAM "fuse-overlayfs"
#define DEVICE "/dev/fuse"
/* At the root of a layer whose whiteouts are files, .wh.NAME and
 * .wh..wh..opq, as AUFS wrote them and fuse-overlayfs reads them: what pull
 * makes where a user may not mknod(2) overlayfs's 0/0 whiteout, before
 * Linux 5.8 (Whiteouts.FILE_WHITEOUTS).  The kernel's overlayfs would
 * show them as files, and the deleted files again. */
#define FILE_WHITEOUTS ".wh..wh.aufs"

extern char **environ;

/* ---- the parent, before clone ---- */

/* Linux major.minor as one number, major * 256 + minor. */
static int
kernel_version(void)
{
    struct utsname u;
    int major = 0, minor = 0;

    if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return 0;
    return major * 256 + minor;
}

/* Refuses the run with one line (errors.c prints a rootless step's detail). */
static int
refuse(cfs_error_t *err, const char *path, int errnum, const char *line)
{
    cfs_set_error(err, CFS_STEP_ROOTLESS, path, errnum);
    snprintf(err->detail, sizeof err->detail, "%s", line);
    return -1;
}

/* The first layer whose whiteouts are files (FILE_WHITEOUTS), or NULL. */
static const char *
layer_with_file_whiteouts(const args_t *args)
{
    char path[PATH_MAX];
    struct stat st;

    for (int i = 0; i < args->nlowers; i++)
        if (snprintf(path, sizeof path, "%s/" FILE_WHITEOUTS, args->lowers[i]) < (int)sizeof path
            && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            return args->lowers[i];
    return NULL;
}

int
cfs_fuse_prepare(const args_t *args, struct cfs_fuse *fuse, cfs_error_t *err)
{
    const char *asked = getenv("CONTAINERFS_OVERLAY");
    const int forced = asked != NULL && strcmp(asked, "fuse") == 0;
    const char *files = args->rootfs == NULL ? layer_with_file_whiteouts(args) : NULL;
    char line[sizeof err->detail];

    memset(fuse, 0, sizeof *fuse);
    fuse->socket[0] = fuse->socket[1] = -1;
    if (args->rootfs != NULL) /* no overlay */
        return 0;
    if (geteuid() == 0 && files != NULL) {
        snprintf(line, sizeof line,
                 "the layer %.1024s holds its whiteouts as files (.wh.NAME, as fuse-overlayfs "
                 "reads them: an ordinary user pulled it on a kernel before Linux 5.8), which the "
                 "kernel's overlayfs would show as files: run it as that user, whose root is "
                 "fuse-overlayfs's, or pull the image again as root",
                 files);
        return refuse(err, files, EINVAL, line);
    }
    if (geteuid() == 0) /* not in a user namespace: the kernel's overlayfs */
        return 0;
    if (asked != NULL && asked[0] != '\0' && !forced) {
        snprintf(line, sizeof line,
                 "CONTAINERFS_OVERLAY is `%.64s`: it takes fuse (fuse-overlayfs mounts the root "
                 "even where the kernel's overlayfs could), or nothing",
                 asked);
        return refuse(err, "CONTAINERFS_OVERLAY", EINVAL, line);
    }
    /* Layers whose whiteouts are files are fuse-overlayfs's on any kernel. */
    if (!forced && files == NULL && kernel_version() >= 5 * 256 + 11)
        return 0;
    fuse->active = 1;
    if (cfs_find_in_path(PROGRAM, fuse->program, sizeof fuse->program) < 0) {
        snprintf(line, sizeof line,
                 "the layer %.1024s holds its whiteouts as files (.wh.NAME: pulled on a kernel "
                 "before Linux 5.8), which only fuse-overlayfs reads, and it is not in PATH: "
                 "install it (apt-get install fuse-overlayfs)",
                 files != NULL ? files : "");
        return refuse(err, PROGRAM, ENOENT,
                      forced ? "CONTAINERFS_OVERLAY=fuse asks for fuse-overlayfs, which is not in "
                               "PATH: install it (apt-get install fuse-overlayfs)"
                      : files == NULL
                          ? "overlayfs cannot be mounted in a user namespace before Linux 5.11, "
                            "so without root the root is fuse-overlayfs's, which is not in "
                            "PATH: install it (apt-get install fuse-overlayfs), or run it "
                            "with sudo"
                          : line);
    }
    if (access(DEVICE, R_OK | W_OK) < 0) {
        snprintf(line, sizeof line,
                 "fuse-overlayfs needs /dev/fuse readable and writable by the user (crw-rw-rw-, "
                 "as udev makes it): %s; ask root to load the fuse module and chmod 666 "
                 "/dev/fuse, or run it with sudo",
                 strerror(errno));
        return refuse(err, DEVICE, errno, line);
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fuse->socket) < 0)
        return cfs_fail(err, CFS_STEP_PREPARE, "");
    return 0;
}

int
cfs_fuse_check_options(const struct cfs_fuse *fuse, const char *options, cfs_error_t *err)
{
    if (!fuse->active || options[0] != '\0')
        return 0;
    cfs_set_error(err, CFS_STEP_OPTIONS, "", E2BIG);
    return -1;
}

/* ---- the starter: a fork of the parent, system calls only ---- */

/* The descriptor the child sent over SOCKET, or -1 (it died first). */
static int
receive_fd(int socket)
{
    char byte, control[CMSG_SPACE(sizeof(int))];
    struct iovec io = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m = {
        .msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *c;
    int fd;

    while (recvmsg(socket, &m, MSG_CMSG_CLOEXEC) < 0)
        if (errno != EINTR)
            return -1;
    c = CMSG_FIRSTHDR(&m);
    if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* fuse-overlayfs -o OPTIONS /dev/fd/3, /dev/fuse as 3 and its stderr into
 * ERROR_FD: in the foreground it mounts (here: takes the connection), then
 * forks the daemon, which closes stdio, and exits. */
static void
exec_fuse_overlayfs(const char *program, const char *options, int device, int error_fd)
{
    char *const argv[] = { (char *)program, "-o", (char *)options, "/dev/fd/3", NULL };
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    cfs_error_t ignored;

    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(error_fd, 2) < 0
        || (device == 3 ? fcntl(3, F_SETFD, 0) : dup2(device, 3)) < 0
        || cfs_mark_fds_cloexec(4, &ignored) < 0)
        _exit(127);
    execve(program, argv, environ);
    _exit(127);
}

/* What fuse-overlayfs said on FD till end of file: its last line, in LINE. */
static void
read_last_line(int fd, char *line, size_t size)
{
    char buf[1024];
    size_t len = 0;
    ssize_t n;

    line[0] = '\0';
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                len = 0;
                continue;
            }
            if (len == 0)
                line[0] = '\0';
            if (len + 1 < size) {
                line[len++] = buf[i];
                line[len] = '\0';
            }
        }
    }
}

/* Runs fuse-overlayfs in the child's user namespace on DEVICE; its result
 * as an error record (step 0: it serves the root). */
static void
serve(const struct cfs_fuse *fuse, int user_ns, int device, const char *options,
      cfs_error_t *result)
{
    char said[512];
    int out[2], status = 0;
    pid_t pid;

    memset(result, 0, sizeof *result);
    if (setns(user_ns, CLONE_NEWUSER) < 0 || pipe2(out, O_CLOEXEC) < 0) {
        cfs_fail(result, CFS_STEP_OVERLAY, fuse->program);
        return;
    }
    pid = fork();
    if (pid == 0)
        exec_fuse_overlayfs(fuse->program, options, device, out[1]);
    close(out[1]);
    if (pid < 0) {
        cfs_fail(result, CFS_STEP_OVERLAY, fuse->program);
        close(out[0]);
        return;
    }
    read_last_line(out[0], said, sizeof said);
    close(out[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    cfs_set_error(result, CFS_STEP_ROOTLESS, fuse->program, EIO);
    if (WIFSIGNALED(status))
        snprintf(result->detail, sizeof result->detail, "fuse-overlayfs was killed by signal %d",
                 WTERMSIG(status));
    else if (WEXITSTATUS(status) == 127 && said[0] == '\0')
        snprintf(result->detail, sizeof result->detail, "`%.200s` could not be run", fuse->program);
    else
        snprintf(result->detail, sizeof result->detail,
                 "fuse-overlayfs could not mount the layers (exit %d): %s", WEXITSTATUS(status),
                 said[0] != '\0' ? said : "it said nothing");
}

/* The starter's life: take the child's /dev/fuse, serve it, say how it
 * went.  Ends with the front end (PR_SET_PDEATHSIG); the child's end of
 * file (it failed first) ends it quietly. */
static void
run_starter(struct cfs_fuse *fuse, pid_t parent, int user_ns, const char *options)
{
    cfs_error_t result;
    int device;

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
        _exit(1);
    close(fuse->socket[0]);
    device = receive_fd(fuse->socket[1]);
    if (device < 0)
        _exit(0);
    serve(fuse, user_ns, device, options, &result);
    close(device);
    if (write(fuse->socket[1], &result, sizeof result) < 0)
        _exit(1);
    _exit(0);
}

/* ---- the parent, after clone ---- */

int
cfs_fuse_start(struct cfs_fuse *fuse, pid_t child, const char *options, cfs_error_t *err)
{
    char path[64];
    const pid_t parent = getpid();
    int user_ns;

    if (!fuse->active)
        return 0;
    snprintf(path, sizeof path, "/proc/%ld/ns/user", (long)child);
    user_ns = open(path, O_RDONLY | O_CLOEXEC);
    if (user_ns < 0)
        return cfs_fail(err, CFS_STEP_OVERLAY, path);
    fuse->starter = fork();
    if (fuse->starter == 0)
        run_starter(fuse, parent, user_ns, options);
    close(user_ns);
    if (fuse->starter < 0) {
        fuse->starter = 0;
        return cfs_fail(err, CFS_STEP_OVERLAY, fuse->program);
    }
    /* The child's end is the child's now: its end of file must reach the starter. */
    close(fuse->socket[0]);
    close(fuse->socket[1]);
    fuse->socket[0] = fuse->socket[1] = -1;
    return 0;
}

void
cfs_fuse_close(struct cfs_fuse *fuse)
{
    for (int i = 0; i < 2; i++) {
        if (fuse->socket[i] >= 0)
            close(fuse->socket[i]);
        fuse->socket[i] = -1;
    }
    if (fuse->starter > 0)
        while (waitpid(fuse->starter, NULL, 0) < 0 && errno == EINTR) {
        }
    fuse->starter = 0;
}

/* ---- the child ---- */

/* Sends FD over SOCKET. */
static int
send_fd(int socket, int fd)
{
    char byte = 0, control[CMSG_SPACE(sizeof(int))];
    struct iovec io = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m = {
        .msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *c;

    memset(control, 0, sizeof control);
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return sendmsg(socket, &m, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* fuse(4)'s mount options for the descriptor FD, as fuse-overlayfs mounts
 * itself: the kernel checks permissions (default_permissions), and every
 * process of the container may use it (allow_other: only those of its user
 * namespace can, fs/fuse/dir.c).  No snprintf: system calls only. */
static void
mount_options(char *buf, size_t size, int fd)
{
    static const char tail[]
        = ",rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other";
    char digits[12];
    size_t len = 3, n = 0;

    memcpy(buf, "fd=", 3);
    for (int v = fd; n == 0 || v > 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    while (n > 0 && len + 1 < size)
        buf[len++] = digits[--n];
    if (len + sizeof tail <= size) {
        memcpy(buf + len, tail, sizeof tail);
        return;
    }
    buf[len] = '\0';
}

int
cfs_fuse_mount(const args_t *args, struct cfs_fuse *fuse, const char *mountpoint, cfs_error_t *err)
{
    const unsigned long flags = MS_NODEV | MS_NOATIME | (args->read_only ? MS_RDONLY : 0);
    char options[128];
    cfs_error_t result;
    ssize_t n;
    int fd;

    close(fuse->socket[1]);
    fuse->socket[1] = -1;
    fd = open(DEVICE, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return cfs_fail(err, CFS_STEP_OVERLAY, DEVICE);
    mount_options(options, sizeof options, fd);
    if (cfs_traced_mount(args->trace, PROGRAM, mountpoint, "fuse." PROGRAM, flags, options) < 0) {
        cfs_fail(err, CFS_STEP_OVERLAY, mountpoint);
        close(fd);
        return -1;
    }
    /* Our copy goes: if fuse-overlayfs does not serve it, the connection is
     * aborted and nothing waits on it for ever. */
    if (send_fd(fuse->socket[0], fd) < 0) {
        cfs_fail(err, CFS_STEP_OVERLAY, fuse->program);
        close(fd);
        return -1;
    }
    close(fd);
    while ((n = read(fuse->socket[0], &result, sizeof result)) < 0 && errno == EINTR) {
    }
    close(fuse->socket[0]);
    fuse->socket[0] = -1;
    if (n != (ssize_t)sizeof result) {
        errno = n < 0 ? errno : ECHILD;
        return cfs_fail(err, CFS_STEP_OVERLAY, fuse->program);
    }
    if (result.step != CFS_STEP_NONE) {
        *err = result;
        return -1;
    }
    return 0;
}
