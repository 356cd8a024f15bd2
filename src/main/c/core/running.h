/* The running containers' layers, so that two never overlap (running.c). */
#ifndef CFS_RUNNING_H
#define CFS_RUNNING_H

#include <limits.h>

#include "cfs.h"

/* This container's entry in the registry: held locked while it runs. */
struct cfs_running {
    int lock;            /* the entry, flock(2)ed; -1 without one */
    char path[PATH_MAX]; /* its name, for removal */
};

/* Registers this container's real layers (upper NULL with --read-only),
 * then refuses them if one overlaps a running container's WRITEDIR, or our
 * WRITEDIR one of its lower layers.  Returns 0, or -1 with *err filled;
 * call cfs_unregister_running either way. */
int cfs_register_running(char *const *lowers, int nlowers, const char *upper,
                         struct cfs_running *me, cfs_error_t *err);
void cfs_unregister_running(struct cfs_running *me);

#endif
