/* The watchdog: the container dies with container-fs, whatever uid its
 * processes switch to.
 *
 * The container's PID 1 gets PR_SET_PDEATHSIG, but the kernel clears it
 * when the process changes its credentials (prctl(2)): a command run with
 * -u, or one that switches user itself (su, gosu), would outlive a kill -9
 * of container-fs, and its WRITEDIR lock would be gone while it still
 * wrote.  This process never changes its credentials.  container-fs starts
 * it right after clone(2), in a session of its own (so a kill of
 * container-fs's process group does not reach it), holding:
 *   descriptor 3  a pidfd of the container's PID 1 (pidfd_open(2));
 *   descriptor 4+ copies of the container's locks (WRITEDIR, the work
 *                 directory, its cgroups), so that they are held until
 *                 the container is gone.
 * When container-fs dies, the parent-death signal wakes us: we kill PID 1,
 * and the kernel kills every other process of its PID namespace
 * (pid_namespaces(7)) before PID 1's pidfd reads as ended.  Then we exit,
 * and the locks go with us.  When the container ends first, we just exit. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "watch.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define PIDFD CFS_WATCH_PIDFD

/* Blocks until fd polls readable, or forever on EINTR-free errors. */
static void
wait_readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

int
cfs_watch(pid_t parent, int ready)
{
    sigset_t term;
    struct pollfd fds[2] = { { .fd = PIDFD, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
    struct signalfd_siginfo info;

    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    fds[1].fd = signalfd(-1, &term, SFD_CLOEXEC);
    if (fds[1].fd < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
        return 125;
    /* container-fs waits for this byte: from here on the container is guarded. */
    if (write(ready, "", 1) != 1)
        return 125;
    close(ready);
    /* A SIGTERM from anyone else (kill, a service manager) is not container-fs's
     * death: only a new parent is.  Gone before the prctl: reparented already. */
    while (getppid() == parent) {
        if (poll(fds, 2, -1) < 0)
            continue; /* EINTR */
        if (fds[0].revents != 0)
            return 0; /* the container ended */
        if (fds[1].revents != 0 && read(fds[1].fd, &info, sizeof info) < 0)
            return 125;
    }
    syscall(SYS_pidfd_send_signal, PIDFD, SIGKILL, NULL, 0);
    wait_readable(PIDFD);
    return 0;
}
