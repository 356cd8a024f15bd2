/* Which devices a container may use: Docker's default allowlist plus one
 * rule per --device, enforced by the container's cgroup (the v1 devices
 * controller, or a BPF device program on cgroup v2), and the --device nodes
 * made in its /dev.  Root inside keeps CAP_MKNOD, as in Docker: it may make
 * any node, and open only what the rules allow. */
#ifndef CFS_DEVICES_H
#define CFS_DEVICES_H

#include <sys/types.h>

#include "cfs.h"

/* A --device resolved on the host, before clone. */
struct cfs_device_node {
    const char *host;   /* as given; an OCI node's: its host twin, or NULL */
    const char *target; /* relative to the container's root: "dev/xvda" */
    mode_t mode;        /* S_IFCHR or S_IFBLK and the host node's permissions */
    dev_t rdev;
    uid_t uid;
    gid_t gid;
    int access; /* CFS_ACCESS_* */
};

struct cfs_devices {
    struct cfs_device_node *nodes; /* malloc'd; NULL without --device */
    int count;
    const struct cfs_device_rule *rules; /* args->device_rules */
    int nrules;
};

/* Parent, before the cgroup is made: stat each --device's host path; a
 * path that is no character or block device is refused (ENODEV).  An OCI
 * node keeps its own numbers.  0, or -1
 * with *err filled. */
int cfs_devices_resolve(const args_t *args, struct cfs_devices *devices, cfs_error_t *err);
void cfs_devices_free(struct cfs_devices *devices);

/* Parent: the rules into a v1 devices cgroup directory: deny all, then
 * allow each.  0, or -1 with errno set. */
int cfs_devices_write_v1(const struct cfs_devices *devices, const char *dir);

/* Parent: the same rules as a BPF_PROG_TYPE_CGROUP_DEVICE program, loaded
 * and attached to the cgroup v2 directory dir.  0, or -1 with errno set. */
int cfs_devices_attach_program(const struct cfs_devices *devices, const char *dir);

/* Child, after /dev is mounted: each --device's node.  0, or -1 with *err
 * filled. */
int cfs_make_devices(const args_t *args, const struct cfs_devices *devices, cfs_error_t *err);

#endif
