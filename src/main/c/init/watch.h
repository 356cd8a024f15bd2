/* The watchdog mode of the init program (watch.c). */
#ifndef CFS_WATCH_H
#define CFS_WATCH_H

#include <sys/types.h>

/* Waits for the container (pidfd on descriptor 3) to end, or for container-fs
 * (PARENT) to die, and then kills the container.  Returns the exit status. */
int cfs_watch(pid_t parent);

#endif
