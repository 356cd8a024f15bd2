/* The watchdog: the container dies with container-fs, whatever uid its
 * processes switch to.
 *
 * The container's PID 1 gets PR_SET_PDEATHSIG, but the kernel clears it
 * when the process changes its credentials (prctl(2)): a command run with
 * -u, or one that switches user itself (su, gosu), would outlive a kill -9
 * of container-fs, and its WRITEDIR lock would be gone while it still
 * wrote.  This process never changes its credentials.  container-fs starts
 * it before clone(2), in a session of its own (so a kill of container-fs's
 * process group does not reach it), holding:
 *   descriptor 3  a socket on which the container's PID 1, first thing in
 *                 its set-up, sends a pidfd of itself (pidfd_open(2)) and
 *                 waits for our answer: it switches no user and runs
 *                 nothing before we guard it;
 *   descriptor 4+ copies of the container's locks (WRITEDIR, the work
 *                 directory, its cgroups), so that they are held until
 *                 the container is gone.
 * When container-fs dies, the parent-death signal wakes us: we kill PID 1,
 * and the kernel kills every other process of its PID namespace
 * (pid_namespaces(7)) before PID 1's pidfd reads as ended.  Then we exit,
 * and the locks go with us.  (An OCI container in the host's PID namespace,
 * or in one it joined, is not that namespace's PID 1: what it started lives
 * on until the engine's delete kills the rest of its cgroup.)  When the container ends first, or
 * its set-up failed before it sent its pidfd (end of file), we just exit. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "watch.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define CONTAINER CFS_WATCH_CONTAINER

/* Blocks until fd polls readable, or forever on EINTR-free errors. */
static void
wait_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

/* The pidfd the container sends on its socket (SCM_RIGHTS, unix(7)), or -1
 * at end of file: its set-up failed first, or it runs without a watchdog. */
static int
receive_pidfd(void)
{
    char byte, control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *c;
    int fd;

    memset(control, 0, sizeof control);
    if (recvmsg(CONTAINER, &msg, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    c = CMSG_FIRSTHDR(&msg);
    if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

/* Waits until fds[0] polls, or container-fs (PARENT) is gone: 1 when it
 * polled, 0 when we were orphaned.  A SIGTERM from anyone else (kill, a
 * service manager) is not container-fs's death: only a new parent is. */
static int
wait_for(struct pollfd fds[2], pid_t parent)
{
    struct signalfd_siginfo info;

    while (getppid() == parent) {
        if (poll(fds, 2, -1) < 0)
            continue; /* EINTR */
        if (fds[0].revents != 0)
            return 1;
        if (fds[1].revents != 0 && read(fds[1].fd, &info, sizeof info) < 0) {
            /* nothing to do: the loop asks getppid() again */
        }
    }
    return 0;
}

int
cfs_watch(pid_t parent, int ready)
{
    sigset_t term;
    struct pollfd fds[2]
        = { { .fd = CONTAINER, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
    int pidfd;

    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    fds[1].fd = signalfd(-1, &term, SFD_CLOEXEC);
    if (fds[1].fd < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
        return 125;
    /* container-fs waits for this byte before it clones the container. */
    if (write(ready, "", 1) != 1)
        return 125;
    close(ready);
    /* Orphaned before the container was ours to guard: its own parent-death
     * signal, still set, killed it. */
    if (!wait_for(fds, parent) || (pidfd = receive_pidfd()) < 0)
        return 0;
    /* The container waits for this byte: from here on it is guarded. */
    if (send(CONTAINER, "", 1, MSG_NOSIGNAL) != 1)
        return 0;
    fds[0].fd = pidfd;
    if (wait_for(fds, parent))
        return 0; /* the container ended */
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
    wait_readable(pidfd);
    return 0;
}
