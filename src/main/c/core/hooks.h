/* config.json's hooks (docs/OCI.md, "Hooks"): each a program run with the
 * container's state JSON on its stdin, by the process that is where the
 * runtime spec says: the parent for createRuntime, prestart, poststart and
 * poststop, the container's own process for createContainer and
 * startContainer (container.c). */
#ifndef CFS_HOOKS_H
#define CFS_HOOKS_H

#include <sys/types.h>

#include "cfs.h"

/* Whether any hook of this phase is listed. */
int cfs_has_hooks(const args_t *args, int phase);

/* Runs the hooks of one phase, in order, each given the state with this
 * status and pid; the first that fails (cannot start, exits non-zero, is
 * killed, outlives its timeout, which kills it) stops the others: -1 with
 * *err filled (CFS_STEP_HOOK).  Only system calls: the container's process
 * calls it before exec. */
int cfs_run_hooks(const args_t *args, int phase, const char *status, pid_t pid, cfs_error_t *err);

#endif
