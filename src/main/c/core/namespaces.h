/* linux.namespaces' paths: a namespace an OCI config names by path is
 * joined, setns(2), rather than made: Podman's network namespace, a
 * Kubernetes pod's ipc and uts namespaces (its sandbox's), its pid
 * namespace when the pod shares one, a cgroup namespace (namespaces.c). */
#ifndef CFS_NAMESPACES_H
#define CFS_NAMESPACES_H

#include <sys/types.h>

#include "cfs.h"

#define CFS_JOINABLE 5 /* network, ipc, uts, cgroup, pid */

struct cfs_joined {
    int fd[CFS_JOINABLE]; /* the namespace to join, open; -1: one of its own is made */
};

/* Parent, before clone: open each of args' paths and check it is a
 * namespace of its type (EINVAL, the type in err->detail, when it is
 * not).  0, or -1 with *err filled; call cfs_namespaces_close either way. */
int cfs_namespaces_open(const args_t *args, struct cfs_joined *joined, cfs_error_t *err);
void cfs_namespaces_close(struct cfs_joined *joined);

/* The CLONE_NEW* flags of the namespaces joined: clone(2) makes none of those. */
int cfs_namespaces_joined_flags(const struct cfs_joined *joined);

/* Whether args joins the namespace of this type (linux.namespaces' name). */
int cfs_namespace_joined(const args_t *args, const char *type);

/* Whether the namespace of this type joined is the one we are in, the
 * host's as far as the container goes (namespaces(7): same device and
 * inode); 0 when none is joined. */
int cfs_namespace_is_ours(const struct cfs_joined *joined, const char *type);

/* The hostname of the uts namespace uts_fd (a file of /proc/PID/ns), into
 * name[size]: the environment's HOSTNAME when the container's uts namespace
 * is not one it named itself, read there by a short-lived child.  0, or -1
 * with *err filled. */
int cfs_uts_hostname(int uts_fd, char *name, size_t size, cfs_error_t *err);

/* Parent: name[size] gets the hostname of the uts namespace joined, if one
 * is.  0, or -1 with *err filled. */
int cfs_namespaces_hostname(const struct cfs_joined *joined, char *name, size_t size,
                            cfs_error_t *err);

/* Child, in its cgroup: setns(2) into each but the pid namespace, which
 * cfs_namespaces_clone joined.  0, or -1 with *err filled. */
int cfs_namespaces_join(const struct cfs_joined *joined, cfs_error_t *err);

/* As clone(2), but the child is in the PID namespace open as pid_fd (no
 * CLONE_NEWPID among flags), and still our child.  Its pid in ours, or -1
 * with errno set; *joined tells a clone(2) that failed from a setns(2). */
pid_t cfs_clone_in_pid_namespace(int pid_fd, int (*fn)(void *), void *stack_top, int flags,
                                 void *arg, int *joined);

/* cfs_clone_in_pid_namespace into the pid namespace joined, if one is;
 * else clone(2).  -1 with *err filled: the join's failure (SETNS "pid", and
 * ENOMEM when the namespace's process 1 has ended), or clone's. */
pid_t cfs_namespaces_clone(const struct cfs_joined *joined, int (*fn)(void *), void *stack_top,
                           int flags, void *arg, cfs_error_t *err);

#endif
