/* The watchdog mode of the init program (watch.c). */
#ifndef CFS_WATCH_H
#define CFS_WATCH_H

#include <sys/types.h>

/* Where the watchdog finds the container's pidfd; the locks it holds follow. */
#define CFS_WATCH_PIDFD 3

/* Writes a byte to READY once it guards the container, then waits for the
 * container (pidfd on descriptor 3) to end, or for container-fs (PARENT) to
 * die, and then kills the container.  Returns the exit status. */
int cfs_watch(pid_t parent, int ready);

#endif
