/* Starting the watchdog (see src/main/c/init/watch.c for what it does and
 * why).  It is the init program in another mode, exec'd from the same
 * sealed memfd, from a child that shares our memory until that exec, as
 * the container's own child does (container.c): system calls only there. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
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
#define PIDFD CFS_WATCH_PIDFD /* where the watchdog finds the pidfd; its locks follow */

struct start {
    int program;
    int pidfd;
    int ready; /* the write end of the pipe it says "guarding" on */
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

/* The child: the pidfd to 3, the locks to 4 and up (through copies above
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

    high[n++] = fcntl(s->pidfd, F_DUPFD_CLOEXEC, 64);
    for (int i = 0; i < s->nlocks; i++)
        if (s->locks[i] >= 0)
            high[n++] = fcntl(s->locks[i], F_DUPFD_CLOEXEC, 64);
    high[n++] = fcntl(s->ready, F_DUPFD_CLOEXEC, 64); /* last, at ready_fd */
    for (int i = 0; i < n; i++)
        if (program < 0 || high[i] < 0 || dup2(high[i], PIDFD + i) < 0)
            _exit(125);
    if (cfs_mark_fds_cloexec(PIDFD + n, &err) < 0 || setsid() < 0)
        _exit(125);
    syscall(SYS_execveat, program, "", argv, envp, AT_EMPTY_PATH);
    _exit(125);
}

pid_t
cfs_watchdog_start(int program, pid_t container, const int *locks, int nlocks, cfs_error_t *err)
{
    struct start s = { .program = program, .locks = locks, .nlocks = nlocks };
    int pipefd[2], saved, n = 1;
    void *stack;
    pid_t pid;
    char byte;

    if (nlocks > CFS_WATCHDOG_LOCKS) {
        errno = EINVAL;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* ENOSYS before Linux 5.3; EPERM from a seccomp profile older than the
     * call (Docker's before 20.10): no watchdog there, as documented. */
    s.pidfd = (int)syscall(SYS_pidfd_open, container, 0);
    if (s.pidfd < 0)
        return errno == ENOSYS || errno == EPERM ? 0 : cfs_fail(err, CFS_STEP_WATCHDOG, "");
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        saved = errno;
        close(s.pidfd);
        errno = saved;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    s.ready = pipefd[1];
    for (int i = 0; i < nlocks; i++)
        n += locks[i] >= 0;
    decimal(s.ready_fd, PIDFD + n);
    decimal(s.parent, (long)getpid());
    stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                 -1, 0);
    if (stack == MAP_FAILED) {
        saved = errno;
        close(s.pidfd);
        close(pipefd[0]);
        close(pipefd[1]);
        errno = saved;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* Suspended until its exec (CLONE_VFORK): when clone returns, the
     * watchdog holds the locks, or has died. */
    pid = clone(watchdog_main, (char *)stack + STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
    saved = errno;
    munmap(stack, STACK_SIZE);
    close(s.pidfd);
    close(pipefd[1]);
    errno = saved;
    if (pid < 0) {
        close(pipefd[0]);
        return cfs_fail(err, CFS_STEP_WATCHDOG, "");
    }
    /* One byte once it guards the container (its parent-death signal set);
     * end of file if it died first, and then it guards nothing. */
    while ((n = (int)read(pipefd[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    close(pipefd[0]);
    if (n != 1) {
        cfs_watchdog_wait(pid);
        errno = ECHILD;
        return cfs_fail(err, CFS_STEP_WATCHDOG, "container-fs-init");
    }
    return pid;
}

void
cfs_watchdog_wait(pid_t watchdog)
{
    if (watchdog <= 0)
        return;
    while (waitpid(watchdog, NULL, 0) < 0 && errno == EINTR) {
    }
}
