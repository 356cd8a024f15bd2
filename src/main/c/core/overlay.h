/* The container's root: an overlay of the layers.  The option string is
 * built by overlay_options.c, as the course's utils.c builds it; overlay.c
 * chooses it and mounts the overlay. */
#ifndef CFS_OVERLAY_H
#define CFS_OVERLAY_H

#include <stddef.h>

#include "cfs.h"

/* overlay_options.c: the overlay option string. */
int cfs_append_string(char *buf, size_t size, size_t *len, const char *s);
int cfs_escape_directory(char *buf, size_t size, size_t *len, const char *dir);
int cfs_build_overlay_options(char *buf, size_t size, const char *const *lowers, int nlowers,
                              const char *upper, const char *work, cfs_error_t *err);

struct cfs_directories; /* directories.h */

/* overlay.c, parent, before clone: the option string for mount(2) into
 * options (size bytes), or "" when the layers make it longer than a page:
 * the child then gives them one by one.  userxattr: mounted in a user
 * namespace (rootless), where overlayfs keeps its xattrs in user.overlay.*.
 * Returns 0, or -1 with *err filled. */
int cfs_prepare_overlay(char *options, size_t size, const struct cfs_directories *dirs,
                        int userxattr, cfs_error_t *err);

/* overlay.c, the child's steps: system calls only; 0, or -1 with *err filled. */
int cfs_mount_overlay(const args_t *args, const struct cfs_directories *dirs, const char *options,
                      int userxattr, cfs_error_t *err);
int cfs_check_root_writable(const args_t *args, const struct cfs_directories *dirs,
                            cfs_error_t *err);

#endif
