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

/* The real paths of a container's directories. */
struct cfs_layer_paths {
    char *const *lowers;
    int nlowers;
    const char *upper; /* NULL with --read-only */
    const char *work;  /* the --overlay-workdir given, or NULL */
};

/* The directory of container-fs's state, made 0700 if missing: root's
 * /run/container-fs; an ordinary user's $XDG_RUNTIME_DIR/container-fs, or
 * /tmp/container-fs-UID, refused (EPERM) unless it is the user's own and
 * closed to others (root's is trusted as it is).  0, or -1 with errno set. */
int cfs_state_directory(char *dir, size_t size);

/* Registers this container's directories, then refuses them if one
 * overlaps a directory a running container writes (its WRITEDIR or given
 * work directory), or one we write overlaps its lower layers.  Returns 0,
 * or -1 with *err filled; call cfs_unregister_running either way. */
int cfs_register_running(const struct cfs_layer_paths *ours, struct cfs_running *me,
                         cfs_error_t *err);
void cfs_unregister_running(struct cfs_running *me);

#endif
