/* The container's root file system: the mounts the child makes under and
 * inside the overlay, pivot_root(2) into it, and the working directory.
 * Each is one of the child's steps, in the order container.c calls them:
 * system calls only; 0, or -1 with *err filled. */
#ifndef CFS_ROOTFS_H
#define CFS_ROOTFS_H

#include <limits.h>

#include "cfs.h"

/* Before the overlay: mounts private; -v's sources opened (sources[i] for
 * args->mounts[i], -1 for a tmpfs). */
int cfs_make_mounts_private(const args_t *args, cfs_error_t *err);
int cfs_open_volume_sources(const args_t *args, int *sources, cfs_error_t *err);
/* Once the overlay is mounted on mountpoint: into it, then /proc, /dev,
 * /sys, the kernel's files masked or read-only, -v and --tmpfs. */
int cfs_enter_root(const args_t *args, const char *mountpoint, cfs_error_t *err);
int cfs_mount_proc(const args_t *args, cfs_error_t *err);
int cfs_mount_dev(const args_t *args, cfs_error_t *err);
int cfs_mount_sys(const args_t *args, cfs_error_t *err);
int cfs_protect_kernel_files(const args_t *args, cfs_error_t *err);
/* linux.sysctl: the parent checks each key is namespaced and makes its path
 * under proc/sys (NULL with *err filled); the child writes them. */
struct cfs_joined; /* namespaces.h */
char **cfs_prepare_sysctls(const args_t *args, const struct cfs_joined *joined, cfs_error_t *err);
void cfs_free_sysctls(char **paths, int n);
int cfs_write_sysctls(const args_t *args, char *const *paths, cfs_error_t *err);
struct cfs_cgroup; /* cgroup.h */
int cfs_mount_volumes(const args_t *args, const int *sources, const struct cfs_cgroup *cgroup,
                      cfs_error_t *err);
/* Opens the directory that holds `path`'s last component, relative to the
 * current directory (the new root), making each missing directory on the
 * way, none through a symlink (ELOOP: a layer's symlink could lead out of
 * the root) nor through ".." (EINVAL: the root's parent is the host's);
 * the last component goes into name ("" for the root itself).
 * The descriptor, or -1 with errno set. */
int cfs_open_parent(const char *path, char name[NAME_MAX + 1]);
/* pivot_root(".", "."), and after it -w. */
int cfs_pivot_into_root(const args_t *args, cfs_error_t *err);
int cfs_enter_cwd(const args_t *args, cfs_error_t *err);

#endif
