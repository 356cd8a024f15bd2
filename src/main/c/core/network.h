/* --network none: the loopback device of the container's own network
 * namespace (network.c). */
#ifndef CFS_NETWORK_H
#define CFS_NETWORK_H

#include "cfs.h"

/* The child's step, before the mounts: with --network none, bring up lo.
 * System calls only; 0, or -1 with *err filled. */
int cfs_bring_up_loopback(const args_t *args, cfs_error_t *err);

#endif
