/* The watchdog that kills the container when container-fs dies, whatever
 * uid the container's processes switch to (src/main/c/init/watch.c). */
#ifndef CFS_WATCHDOG_H
#define CFS_WATCHDOG_H

#include <sys/types.h>

#include "cfs.h"

/* The most locks the watchdog holds for the container. */
#define CFS_WATCHDOG_LOCKS 8

/* Parent, before clone: starts the init program (program, a memfd) as the
 * watchdog, holding copies of LOCKS (-1 where none) until the container is
 * gone, and sets *container to the socket the container hands itself over
 * on (the parent closes it once clone has returned).  Returns its pid; 0
 * where the kernel has no pidfd_open(2) (before Linux 5.3), then without a
 * watchdog (*container stays -1); or -1 with *err filled. */
pid_t cfs_watchdog_start(int program, const int *locks, int nlocks, int *container,
                         cfs_error_t *err);

/* The container's PID 1, first thing: sends the watchdog a pidfd of itself
 * on *socket and waits for its answer, then closes *socket.  0 (at once
 * when *socket is -1: no watchdog), or -1 with *err filled. */
int cfs_watchdog_hand_over(int *socket, cfs_error_t *err);

/* Parent, after the container was reaped: waits for the watchdog, which
 * ends with it. */
void cfs_watchdog_wait(pid_t watchdog);

#endif
