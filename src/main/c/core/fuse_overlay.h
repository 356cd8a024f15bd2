/* Rootless on Linux before 5.11, whose overlayfs cannot be mounted in a
 * user namespace: the root is fuse-overlayfs's, as podman mounts it
 * (fuse_overlay.c). */
#ifndef CFS_FUSE_OVERLAY_H
#define CFS_FUSE_OVERLAY_H

#include <sys/types.h>

#include "cfs.h"

struct cfs_fuse {
    int active;             /* the root is fuse-overlayfs's */
    char program[PATH_MAX]; /* fuse-overlayfs, found in PATH */
    int socket[2];          /* [0] the child's: /dev/fuse out, the starter's result in; [1] the
                               starter's; or -1 */
    pid_t starter;          /* the process that starts fuse-overlayfs, or 0 */
};

/* The parent, before anything is made: whether the root is fuse-overlayfs's
 * (not root, as in userns.c; no --rootfs; and Linux before 5.11 or
 * $CONTAINERFS_OVERLAY "fuse"); if so, fuse-overlayfs found in PATH and /dev/fuse open to the
 * user, else a refusal in one line.  0, or -1 with *err filled; call
 * cfs_fuse_close either way. */
int cfs_fuse_prepare(const args_t *args, struct cfs_fuse *fuse, cfs_error_t *err);
/* The parent, once the option string is built: fuse-overlayfs takes it
 * whole ("" means it would not fit in mount(2)'s page).  0, or -1. */
int cfs_fuse_check_options(const struct cfs_fuse *fuse, const char *options, cfs_error_t *err);
/* The parent, once the child's ids are mapped: forks the starter, which
 * takes the child's /dev/fuse, joins the child's user namespace and runs
 * fuse-overlayfs there with OPTIONS, then tells the child how it went.
 * 0, or -1 with *err filled. */
int cfs_fuse_start(struct cfs_fuse *fuse, pid_t child, const char *options, cfs_error_t *err);
/* The parent, at the end: closes the sockets and reaps the starter. */
void cfs_fuse_close(struct cfs_fuse *fuse);

/* The child's step in place of the overlay's: opens /dev/fuse, mounts it
 * over MOUNTPOINT, hands it to the starter and waits for fuse-overlayfs to
 * serve it.  System calls only.  0, or -1 with *err filled. */
int cfs_fuse_mount(const args_t *args, struct cfs_fuse *fuse, const char *mountpoint,
                   cfs_error_t *err);

#endif
