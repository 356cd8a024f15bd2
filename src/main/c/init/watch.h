/* The watchdog mode of the init program (watch.c). */
#ifndef CFS_WATCH_H
#define CFS_WATCH_H

#include <sys/types.h>

/* Where the watchdog finds its socket to the container (which sends its
 * pidfd on it); the locks it holds follow. */
#define CFS_WATCH_CONTAINER 3

/* Writes a byte to READY once it watches container-fs (PARENT); takes the
 * container's pidfd from descriptor 3 and answers with a byte; then waits
 * for the container to end, or for container-fs to die, and then kills the
 * container.  Returns the exit status. */
int cfs_watch(pid_t parent, int ready);

#endif
