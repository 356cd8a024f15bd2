/* The OCI runtime's calls after create (docs/OCI.md): start, kill, delete,
 * ps; exec is enter.c; the pid file that create and exec write.
 * create itself is cfs_run_container with args->exec_fifo (container.c):
 * its child waits, set up, to open that FIFO for writing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"

/* Open the FIFO for reading without blocking, then wait for the child's
 * byte: it opens its end as soon as ours is open, writes, and execs.  A
 * child that is gone writes nothing: checked every 100 ms, so start never
 * hangs on a container that died after create. */
int
cfs_start_created(const char *exec_fifo, int pid)
{
    struct pollfd fifo = { .events = POLLIN };
    char byte;

    fifo.fd = open(exec_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo.fd < 0)
        return -1;
    for (;;) {
        int n = poll(&fifo, 1, 100);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && read(fifo.fd, &byte, 1) == 1) {
            close(fifo.fd);
            unlink(exec_fifo);
            return 0;
        }
        if (kill(pid, 0) < 0 && errno == ESRCH)
            break;
        if (n > 0) { /* POLLHUP before the child opened its end: wait for it */
            struct timespec pause = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
    }
    close(fifo.fd);
    errno = ESRCH;
    return -1;
}

void
cfs_signal_container(const char *id, const char *cgroups_path, int sig)
{
    cfs_cgroup_signal_oci(id, cgroups_path, sig);
}

void
cfs_remove_container_cgroup(const char *id, const char *cgroups_path)
{
    cfs_cgroup_remove_oci(id, cgroups_path);
}

int
cfs_container_pids(const char *id, const char *cgroups_path, int *pids, int max)
{
    return cfs_cgroup_pids_oci(id, cgroups_path, pids, max);
}

int
cfs_write_pid_file(const char *path, pid_t pid, cfs_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

    if (fd < 0 || dprintf(fd, "%ld", (long)pid) < 0) {
        cfs_fail(err, CFS_STEP_PREPARE, path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return close(fd) < 0 ? cfs_fail(err, CFS_STEP_PREPARE, path) : 0;
}
