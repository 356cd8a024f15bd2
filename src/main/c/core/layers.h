/* The layer rules, decided once for both front ends (layers.c). */
#ifndef CFS_LAYERS_H
#define CFS_LAYERS_H

#include <limits.h>

#include "cfs.h"

/* Resolves every layer of args to the real path the kernel will use and
 * checks the stack: no directory twice, WRITEDIR outside every lower layer
 * and writable.  lowers has room for args->nlowers strings; each, and
 * *upper (NULL with --read-only), is malloc'd, also when it fails later:
 * free them either way.  Returns 0, or -1 with *err naming the rule, the
 * layer as the user gave it and, where two clash, the other. */
int cfs_resolve_layers(const args_t *args, char **lowers, char **upper, cfs_error_t *err);

/* --overlay-workdir: the real path of args->workdir into work (PATH_MAX
 * bytes), after checking it is a directory that overlaps no layer and is
 * on WRITEDIR's filesystem.  Returns 0, or -1 with *err filled. */
int cfs_check_workdir(const args_t *args, const char *const *lowers, const char *upper, char *work,
                      cfs_error_t *err);

/* Whether the real path path is dir or below it, by whole components:
 * /a/bc is not below /a/b, and everything is below /. */
int cfs_is_within(const char *path, const char *dir);

#endif
