/* The command's environment, built by the parent before clone(). */
#ifndef CFS_ENVIRONMENT_H
#define CFS_ENVIRONMENT_H

#include "cfs.h"

/* A calloc'd NULL-terminated array of malloc'd "NAME=VALUE" strings, or NULL
 * with *err filled. */
char **cfs_build_environment(const args_t *args, const char *hostname, cfs_error_t *err);
void cfs_free_environment(char **env);

#endif
