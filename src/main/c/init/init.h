/* --init: the container's PID 1 that forwards signals and reaps orphans. */
#ifndef CFS_INIT_H
#define CFS_INIT_H

#include <sys/types.h>

/* Runs as PID 1 until COMMAND ends; returns its status for _exit(2). */
int cfs_init(pid_t command);

#endif
