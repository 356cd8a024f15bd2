/* Starting the watchdog (see src/main/c/init/watch.c for what it does and
 * why), and the container's side of its hand-over.  It is the init program
 * in another mode, exec'd from the same sealed memfd, from a child that
 * shares our memory until that exec, as the container's own child does
 * (container.c): system calls only there.  It starts before the container
 * is cloned, and the container's first step hands it a pidfd of itself and
 * waits for its answer, so no instant of the container goes unguarded. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "watchdog.h"
#include "../init/watch.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define STACK_SIZE (64 * 1024)
#define CONTAINER CFS_WATCH_CONTAINER /* where the watchdog finds its socket; its locks follow */

struct start {
    int program;
    int socket; /* the watchdog's end of the socket to the container */
    int ready;  /* the write end of the pipe it says "guarding" on */
    const int *locks;
    int nlocks;
    char parent[12]; /* our pid, in decimal */
    char ready_fd[12];
};

static void
decimal(char *buf, long n)
{
    char digits[12];
    int len = 0;

    do
        digits[len++] = (char)('0' + n % 10);
    while ((n /= 10) > 0);
    while (len > 0)
        *buf++ = digits[--len];
    *buf = '\0';
}

/* The child: the socket to 3, the locks to 4 and up (through copies above
 * them, so that no dup2 overwrites a descriptor not yet moved, the
 * program's own included), every other descriptor close-on-exec, a
 * session of its own, then the exec. */
static int
watchdog_main(void *arg)
{
    const struct start *s = arg;
    char *const argv[] = { (char *)"container-fs-init", (char *)"--watch", (char *)s->parent,
                           (char *)s->ready_fd, NULL };
    char *const envp[] = { NULL };
    int high[2 + CFS_WATCHDOG_LOCKS], n = 0;
    int program = fcntl(s->program, F_DUPFD_CLOEXEC, 64);
    cfs_error_t err;

    high[n++] = fcntl(s->socket, F_DUPFD_CLOEXEC, 64);
    for (int i = 0; i < s->nlocks; i++)
        if (s->locks[i] >= 0)
            high[n++] = fcntl(s->locks[i], F_DUPFD_CLOEXEC, 64);
    high[n++] = fcntl(s->ready, F_DUPFD_CLOEXEC, 64); /* last, at ready_fd */
    for (int i = 0; i < n; i++)
        if (program < 0 || high[i] < 0 || dup2(high[i], CONTAINER + i) < 0)
            _exit(125);
    if (cfs_mark_fds_cloexec(CONTAINER + n, &err) < 0 || setsid() < 0)
        _exit(125);
    syscall(SYS_execveat, program, "", argv, envp, AT_EMPTY_PATH);
    _exit(125);
}

/* Closes the descriptors that are not -1, keeping errno. */
static void
close_all(int a, int b, int c)
{
    int saved = errno;

    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    if (c >= 0)
        close(c);
    errno = saved;
}

pid_t
cfs_watchdog_start(int program, const int *locks, int nlocks, int *container, cfs_error_t *err)
{
    struct start s = { .program = program, .locks = locks, .nlocks = nlocks };
    int pipefd[2], sv[2], self, n = 1;
    void *stack;
    pid_t pid;
    char byte;

    *container = -1;
    if (nlocks > CFS_WATCHDOG_LOCKS) {
        errno = EINVAL;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* ENOSYS before Linux 5.3; EPERM from a seccomp profile older than the
     * call (Docker's before 20.10): no watchdog there, as documented. */
    self = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (self < 0)
        return errno == ENOSYS || errno == EPERM ? 0 : cfs_fail(err, CFS_STEP_WATCHDOG, "");
    close(self);
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        close_all(sv[0], sv[1], -1);
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    s.socket = sv[0];
    s.ready = pipefd[1];
    for (int i = 0; i < nlocks; i++)
        n += locks[i] >= 0;
    decimal(s.ready_fd, CONTAINER + n);
    decimal(s.parent, (long)getpid());
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (stack == MAP_FAILED) {
        close_all(sv[0], sv[1], pipefd[0]);
        close_all(pipefd[1], -1, -1);
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* Suspended until its exec (CLONE_VFORK): when clone returns, the
     * watchdog holds the locks, or has died. */
    pid = clone(watchdog_main, (char *)stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
    munmap(stack, STACK_SIZE);
    close_all(sv[0], pipefd[1], -1);
    if (pid < 0) {
        close_all(sv[1], pipefd[0], -1);
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* One byte once it watches us (its parent-death signal set); end of
     * file if it died first. */
    while ((n = (int)read(pipefd[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    close(pipefd[0]);
    if (n != 1) {
        close(sv[1]);
        cfs_watchdog_wait(pid);
        errno = ECHILD;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "container-fs-init");
    }
    *container = sv[1];
    return pid;
}

int
cfs_watchdog_hand_over(int *socket, cfs_error_t *err)
{
    char byte, control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *c;
    ssize_t n;
    int pidfd;

    if (*socket < 0)
        return 0; /* no watchdog on this kernel */
    /* Our own pid in our PID namespace (1): a pidfd is the same process
     * whichever namespace reads it. */
    pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (pidfd < 0) {
        close(*socket);
        *socket = -1;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "pidfd_open");
    }
    memset(control, 0, sizeof control);
    byte = 0;
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pidfd, sizeof pidfd);
    n = sendmsg(*socket, &msg, MSG_NOSIGNAL);
    close(pidfd);
    /* Its answer: from here on we are guarded (end of file: it died). */
    while (n == 1 && (n = recv(*socket, &byte, 1, 0)) < 0 && errno == EINTR) {
    }
    close(*socket);
    *socket = -1;
    if (n != 1) {
        if (n == 0)
            errno = ECHILD;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "container-fs-init");
    }
    return 0;
}

void
cfs_watchdog_wait(pid_t watchdog)
{
    if (watchdog <= 0)
        return;
    while (waitpid(watchdog, NULL, 0) < 0 && errno == EINTR) {
    }
}
