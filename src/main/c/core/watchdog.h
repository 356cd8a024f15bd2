/* The watchdog that kills the container when container-fs dies, whatever
 * uid the container's processes switch to (src/main/c/init/watch.c). */
#ifndef CFS_WATCHDOG_H
#define CFS_WATCHDOG_H

#include <sys/types.h>

#include "cfs.h"

/* The most locks the watchdog holds for the container. */
#define CFS_WATCHDOG_LOCKS 8

/* Parent, right after clone: starts the init program (program, a memfd) as
 * the watchdog of CONTAINER, its PID 1, holding copies of LOCKS (-1 where
 * none) until the container is gone.  Returns its pid; 0 where the kernel
 * has no pidfd_open(2) (before Linux 5.3), then without a watchdog; or -1
 * with *err filled. */
pid_t cfs_watchdog_start(int program, pid_t container, const int *locks, int nlocks,
                         cfs_error_t *err);

/* Parent, after the container was reaped: waits for the watchdog, which
 * ends with it. */
void cfs_watchdog_wait(pid_t watchdog);

#endif
