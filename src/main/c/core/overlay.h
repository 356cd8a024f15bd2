/* The container's root: an overlay of the layers.  The option string is
 * built by overlay_options.c, as the course's utils.c builds it. */
#ifndef CFS_OVERLAY_H
#define CFS_OVERLAY_H

#include <stddef.h>

#include "cfs.h"

/* overlay_options.c: the overlay option string. */
int cfs_append_string(char *buf, size_t size, size_t *len, const char *s);
int cfs_escape_directory(char *buf, size_t size, size_t *len, const char *dir);
int cfs_build_overlay_options(char *buf, size_t size, const char *const *lowers, int nlowers,
                              const char *upper, const char *work, cfs_error_t *err);

#endif
