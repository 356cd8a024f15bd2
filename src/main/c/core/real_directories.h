/* The real path of each layer of a stack, and whether it is a directory:
 * the first of the layer rules (layers.c). */
#ifndef CFS_REAL_DIRECTORIES_H
#define CFS_REAL_DIRECTORIES_H

#include <limits.h>

/* The parent directory last resolved: a stack's layers usually share one
 * (layers/1, layers/2, ...).  Start it zeroed; one per list of layers. */
struct cfs_real_parent {
    char given[PATH_MAX]; /* the parent as written; "" when none yet */
    char real[PATH_MAX];  /* its realpath(3) */
};

/* Writes the real path of dir into real (PATH_MAX bytes) and returns 0, or
 * returns errno: ENOTDIR when dir is not a directory.  The same answer as
 * realpath(3) and stat(2), which take one readlink(2) per component of
 * every path; here a parent already resolved costs one lstat(2) of dir. */
int cfs_real_directory(struct cfs_real_parent *parent, const char *dir, char *real);

#endif
