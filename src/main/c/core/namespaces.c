/* Joining the namespaces an OCI config gives a path for (namespaces.h).
 * The parent opens each path and asks the kernel what it is
 * (ioctl_ns(2), NS_GET_NSTYPE): a path that is no namespace of the type
 * the config says is refused before anything is made, rather than joined
 * as something else, or left to setns(2)'s bare EINVAL in the child.  The
 * child leaves that type out of clone(2)'s flags and calls setns(2) once
 * in its cgroup, so a cgroup namespace joined is rooted where its owner's
 * is.  A pid namespace joined would need the parent to change its own
 * namespace for children (setns(2)), and a mount namespace is the one the
 * root is pivoted in: neither is taken (BundleConfig refuses them). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "namespaces.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3) /* linux/nsfs.h, Linux 4.11 */
#endif

/* linux.namespaces' names, and the kernel's type of each. */
static const struct {
    const char *name;
    int type;
} JOINABLE[CFS_JOINABLE] = {
    { "network", CLONE_NEWNET },
    { "ipc", CLONE_NEWIPC },
    { "uts", CLONE_NEWUTS },
    { "cgroup", CLONE_NEWCGROUP },
};

static int
joinable(const char *name)
{
    for (int i = 0; i < CFS_JOINABLE; i++)
        if (strcmp(JOINABLE[i].name, name) == 0)
            return i;
    return -1;
}

int
cfs_namespace_joined(const args_t *args, const char *type)
{
    for (int i = 0; i < args->njoins; i++)
        if (strcmp(args->join_types[i], type) == 0)
            return 1;
    return 0;
}

int
cfs_namespaces_open(const args_t *args, struct cfs_joined *joined, cfs_error_t *err)
{
    for (int i = 0; i < CFS_JOINABLE; i++)
        joined->fd[i] = -1;
    for (int i = 0; i < args->njoins; i++) {
        const char *path = args->join_paths[i];
        int k = joinable(args->join_types[i]), fd;

        if (k < 0 || joined->fd[k] >= 0) { /* the front end lets neither through */
            cfs_set_error(err, CFS_STEP_SETNS, args->join_types[i], EINVAL);
            return -1;
        }
        /* O_NONBLOCK: a FIFO there would block open(2) for ever (fifo(7)). */
        if ((fd = joined->fd[k] = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
            return cfs_fail(err, CFS_STEP_SETNS, path);
        if (ioctl(fd, NS_GET_NSTYPE) != JOINABLE[k].type) {
            cfs_set_error(err, CFS_STEP_SETNS, path, EINVAL);
            snprintf(err->detail, sizeof err->detail, "%s", JOINABLE[k].name);
            return -1;
        }
    }
    return 0;
}

void
cfs_namespaces_close(struct cfs_joined *joined)
{
    for (int i = 0; i < CFS_JOINABLE; i++) {
        if (joined->fd[i] >= 0)
            close(joined->fd[i]);
        joined->fd[i] = -1;
    }
}

int
cfs_namespaces_joined_flags(const struct cfs_joined *joined)
{
    int flags = 0;

    for (int i = 0; i < CFS_JOINABLE; i++)
        if (joined->fd[i] >= 0)
            flags |= JOINABLE[i].type;
    return flags;
}

int
cfs_uts_hostname(int uts_fd, char *name, size_t size, cfs_error_t *err)
{
    int own = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC), failed;

    if (own < 0)
        return cfs_fail(err, CFS_STEP_SETNS, "/proc/thread-self/ns/uts");
    if (setns(uts_fd, CLONE_NEWUTS) < 0) {
        close(own);
        return cfs_fail(err, CFS_STEP_SETNS, "uts");
    }
    failed = gethostname(name, size) < 0;
    if (setns(own, CLONE_NEWUTS) < 0) /* back: never left in the container's */
        failed = 1;
    close(own);
    name[size - 1] = '\0';
    return failed ? cfs_fail(err, CFS_STEP_HOSTNAME, "uts") : 0;
}

int
cfs_namespaces_hostname(const struct cfs_joined *joined, char *name, size_t size, cfs_error_t *err)
{
    int uts = joinable("uts");

    return joined->fd[uts] < 0 ? 0 : cfs_uts_hostname(joined->fd[uts], name, size, err);
}

int
cfs_namespaces_join(const struct cfs_joined *joined, cfs_error_t *err)
{
    for (int i = 0; i < CFS_JOINABLE; i++)
        if (joined->fd[i] >= 0 && setns(joined->fd[i], JOINABLE[i].type) < 0)
            return cfs_fail(err, CFS_STEP_SETNS, JOINABLE[i].name);
    return 0;
}
