/* Joining the namespaces an OCI config gives a path for (namespaces.h).
 * The parent opens each path and asks the kernel what it is
 * (ioctl_ns(2), NS_GET_NSTYPE): a path that is no namespace of the type
 * the config says is refused before anything is made, rather than joined
 * as something else, or left to setns(2)'s bare EINVAL in the child.  The
 * child leaves that type out of clone(2)'s flags and calls setns(2) once
 * in its cgroup, so a cgroup namespace joined is rooted where its owner's
 * is.  A pid namespace is joined before the clone, since setns(2) changes
 * only that of the caller's later children (cfs_namespaces_clone).  A mount
 * namespace is the one the root is pivoted in, and is not taken
 * (BundleConfig refuses it). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3) /* linux/nsfs.h, Linux 4.11 */
#endif

/* linux.namespaces' names, and the kernel's type of each. */
static const struct {
    const char *name;
    int type;
    const char *ours; /* ours, in /proc */
} JOINABLE[CFS_JOINABLE] = {
    { "network", CLONE_NEWNET, "/proc/self/ns/net" },
    { "ipc", CLONE_NEWIPC, "/proc/self/ns/ipc" },
    { "uts", CLONE_NEWUTS, "/proc/self/ns/uts" },
    { "cgroup", CLONE_NEWCGROUP, "/proc/self/ns/cgroup" },
    { "pid", CLONE_NEWPID, "/proc/self/ns/pid_for_children" },
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
cfs_namespace_is_ours(const struct cfs_joined *joined, const char *type)
{
    int k = joinable(type);
    struct stat theirs, ours;

    if (k < 0 || joined->fd[k] < 0)
        return 0;
    if (fstat(joined->fd[k], &theirs) < 0 || stat(JOINABLE[k].ours, &ours) < 0)
        return 1; /* unknown: taken as ours, the safe answer for what asks */
    return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
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

/* What the short-lived child of cfs_uts_hostname shares with its parent. */
struct hostname_read {
    int uts_fd;
    char *name;
    size_t size;
    int error; /* errno of setns(2) or gethostname(2), or 0 */
};

static int
read_hostname_child(void *arg)
{
    struct hostname_read *r = arg;

    if (setns(r->uts_fd, CLONE_NEWUTS) < 0 || gethostname(r->name, r->size) < 0)
        r->error = errno;
    _exit(0);
}

/* A child of ours steps into the namespace and reads the name there: the
 * caller never leaves its own, to which it might not be let back (under a
 * rootless engine, ours is the host's, owned by a user namespace where we
 * have no capability).  CLONE_VM | CLONE_VFORK: the child writes the name
 * into our memory while we wait. */
int
cfs_uts_hostname(int uts_fd, char *name, size_t size, cfs_error_t *err)
{
    struct hostname_read r = { uts_fd, name, size, 0 };
    size_t stack_size = 64 * 1024;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    pid_t child;
    int status;

    if (stack == MAP_FAILED)
        return cfs_fail(err, CFS_STEP_HOSTNAME, "uts");
    child = clone(read_hostname_child, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &r);
    if (child < 0)
        r.error = errno;
    else
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
    munmap(stack, stack_size);
    if (r.error != 0) {
        errno = r.error;
        return cfs_fail(err, CFS_STEP_HOSTNAME, "uts");
    }
    name[size - 1] = '\0';
    return 0;
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
        if (JOINABLE[i].type != CLONE_NEWPID && joined->fd[i] >= 0
            && setns(joined->fd[i], JOINABLE[i].type) < 0)
            return cfs_fail(err, CFS_STEP_SETNS, JOINABLE[i].name);
    return 0;
}

/* What the go-between of cfs_clone_in_pid_namespace shares with its parent. */
struct pid_clone {
    int pid_fd;
    int (*fn)(void *);
    void *stack_top;
    int flags;
    void *arg;
    pid_t pid;
    int joined; /* whether setns(2) worked */
    int error;  /* errno of setns(2) or clone(2), or 0 */
};

static int
go_between_main(void *arg)
{
    struct pid_clone *c = arg;

    if (setns(c->pid_fd, CLONE_NEWPID) < 0) {
        c->error = errno;
        _exit(1);
    }
    c->joined = 1;
    /* CLONE_PARENT: the child is our parent's; it exits with our exit
     * signal, SIGCHLD, whatever flags say. */
    if ((c->pid = clone(c->fn, c->stack_top, c->flags | CLONE_PARENT, c->arg)) < 0)
        c->error = errno;
    _exit(0);
}

/* setns(2) with CLONE_NEWPID changes the PID namespace of the caller's
 * later children only, never its own, and there is no going back to ours
 * unless we hold CAP_SYS_ADMIN where it was made: under a rootless engine it
 * is the host's, whose user namespace is not ours.  So a go-between that
 * shares our memory while we wait (CLONE_VM | CLONE_VFORK) joins it and
 * clones the child as ours (CLONE_PARENT), then ends; our own PID
 * namespace for children never changes.  With CLONE_VFORK in flags, the
 * go-between, and so we, wait till the child's exec. */
pid_t
cfs_clone_in_pid_namespace(int pid_fd, int (*fn)(void *), void *stack_top, int flags, void *arg,
                           int *joined)
{
    struct pid_clone c = { pid_fd, fn, stack_top, flags, arg, -1, 0, 0 };
    size_t stack_size = 64 * 1024;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    pid_t go_between;

    *joined = 0;
    if (stack == MAP_FAILED)
        return -1;
    go_between = clone(go_between_main, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
    if (go_between < 0)
        c.error = errno;
    else
        while (waitpid(go_between, NULL, 0) < 0 && errno == EINTR)
            ;
    munmap(stack, stack_size);
    *joined = c.joined;
    if (c.error != 0) {
        errno = c.error;
        return -1;
    }
    return c.pid;
}

pid_t
cfs_namespaces_clone(const struct cfs_joined *joined, int (*fn)(void *), void *stack_top, int flags,
                     void *arg, cfs_error_t *err)
{
    int pid_fd = joined->fd[joinable("pid")], entered = 1;
    pid_t pid = pid_fd < 0
                    ? clone(fn, stack_top, flags, arg)
                    : cfs_clone_in_pid_namespace(pid_fd, fn, stack_top, flags, arg, &entered);

    if (pid >= 0)
        return pid;
    if (!entered || (pid_fd >= 0 && errno == ENOMEM)) /* ENOMEM: its process 1 is gone */
        cfs_fail(err, CFS_STEP_SETNS, "pid");
    else
        cfs_fail(err, CFS_STEP_CLONE, "");
    return -1;
}
