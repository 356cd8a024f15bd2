/* Error records: which step failed, on which path, with which errno; and the
 * one place that turns a record into the exit status and the line the user
 * reads.  Both front ends print exactly this text. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cfs.h"

static const char *const step_names[CFS_STEP_COUNT] = {
    [CFS_STEP_NONE] = "run",
    [CFS_STEP_ROOTLESS] = "run without root",
    [CFS_STEP_LAYERS] = "resolve layer",
    [CFS_STEP_LOCK] = "lock",
    [CFS_STEP_MOUNTPOINT] = "find mountpoint",
    [CFS_STEP_WORKDIR] = "make work directory",
    [CFS_STEP_OPTIONS] = "build overlay options",
    [CFS_STEP_CGROUP] = "make cgroup",
    [CFS_STEP_PREPARE] = "prepare",
    [CFS_STEP_CLONE] = "clone",
    [CFS_STEP_ID_MAP] = "map the user namespace's ids",
    [CFS_STEP_WATCHDOG] = "start the watchdog",
    [CFS_STEP_NET_STACK] = "start the network stack",
    [CFS_STEP_PARENT] = "die with the parent",
    [CFS_STEP_SETNS] = "join the container's namespaces",
    [CFS_STEP_JOIN_CGROUP] = "join cgroup",
    [CFS_STEP_NETWORK] = "set up the network",
    [CFS_STEP_PRIVATE] = "make mounts private",
    [CFS_STEP_OVERLAY] = "mount overlay",
    [CFS_STEP_WRITABLE] = "check the root is writable",
    [CFS_STEP_ENTER] = "enter overlay",
    [CFS_STEP_PROC] = "mount proc",
    [CFS_STEP_DEV] = "mount dev",
    [CFS_STEP_SYS] = "mount sys",
    [CFS_STEP_SYSCTL] = "write sysctl",
    [CFS_STEP_KERNEL_FILES] = "protect kernel files",
    [CFS_STEP_PIVOT] = "pivot_root",
    [CFS_STEP_HOSTNAME] = "set hostname",
    [CFS_STEP_MOUNTS] = "mount",
    [CFS_STEP_CWD] = "enter working directory",
    [CFS_STEP_SIGNALS] = "reset signals",
    [CFS_STEP_LIMITS] = "set limits",
    [CFS_STEP_STDIO] = "open /dev/null",
    [CFS_STEP_TTY] = "set up the terminal",
    [CFS_STEP_FDS] = "close descriptors",
    [CFS_STEP_START] = "wait for start",
    [CFS_STEP_NO_NEW_PRIVS] = "set no_new_privs",
    [CFS_STEP_SECCOMP] = "install seccomp filter",
    [CFS_STEP_USER] = "switch user",
    [CFS_STEP_CAPABILITIES] = "drop capabilities",
    [CFS_STEP_INIT] = "start init",
    [CFS_STEP_EXEC] = "exec",
    [CFS_STEP_LOADER] = "exec",
    [CFS_STEP_WAIT] = "waitpid",
    [CFS_STEP_OOM] = "out of memory",
    [CFS_STEP_TERMINAL] = "open the terminal",
    [CFS_STEP_STOPPED] = "stopped",
    [CFS_STEP_HOOK] = "run hook",
};

const char *
cfs_step_name(int step)
{
    if (step < 0 || step >= CFS_STEP_COUNT)
        return "unknown step";
    return step_names[step];
}

/* Async-signal-safe: the child calls this between clone and exec, so it
 * copies by hand instead of calling anything that might allocate. */
static void
copy_path(char *to, const char *from)
{
    size_t i = 0;

    for (; from != NULL && from[i] != '\0' && i + 1 < PATH_MAX; i++)
        to[i] = from[i];
    to[i] = '\0';
}

void
cfs_set_error(cfs_error_t *err, int step, const char *path, int errnum)
{
    err->step = step;
    err->err = errnum;
    err->holder = 0;
    err->rule = CFS_RULE_NONE;
    err->other[0] = '\0';
    err->detail[0] = '\0';
    copy_path(err->path, path);
}

int
cfs_rule_error(cfs_error_t *err, int step, int rule, const char *path, const char *other,
               const char *detail, int errnum)
{
    cfs_set_error(err, step, path, errnum);
    err->rule = rule;
    copy_path(err->other, other);
    copy_path(err->detail, detail);
    return -1;
}

/* Async-signal-safe, as cfs_set_error. */
int
cfs_fail(cfs_error_t *err, int step, const char *path)
{
    cfs_set_error(err, step, path, errno);
    return -1;
}

/* As a shell: 127 when the command is not found, 126 when it exists but
 * cannot run (bash(1), "EXIT STATUS"); 125 for every failure of our own, as
 * docker run, so the command's own statuses keep their meaning. */
int
cfs_exit_status(const cfs_error_t *err)
{
    if (err->step == CFS_STEP_OOM)
        return 128 + SIGKILL; /* what the kernel did; the message says why */
    if (err->step == CFS_STEP_LOADER)
        return CFS_EXIT_CANNOT_RUN;
    if (err->step == CFS_STEP_STOPPED)
        return CFS_EXIT_STOPPED;
    if (err->step != CFS_STEP_EXEC)
        return CFS_EXIT_FAILED;
    return err->err == ENOENT ? CFS_EXIT_NOT_FOUND : CFS_EXIT_CANNOT_RUN;
}

/* What the user can do next about the failures students meet most. */
static const char *
hint(const cfs_error_t *err)
{
    if (err->step == CFS_STEP_EXEC && err->err == ENOENT)
        return strchr(err->path, '/') != NULL ? " (no such file in the container)"
                                              : " (not found in the container's PATH)";
    if (err->step == CFS_STEP_EXEC)
        return "";
    if (err->step == CFS_STEP_PREPARE && err->err == E2BIG && strncmp(err->path, "seccomp", 7) == 0)
        return " (the seccomp profile makes a filter longer than the kernel's 4096 instructions:"
               " give it fewer rules with arguments)";
    if (err->step == CFS_STEP_LIMITS && err->err == EPERM)
        return "; raising a hard limit needs CAP_SYS_RESOURCE: ask for at most the hard limit here"
               " (podman: --ulimit nofile=1024:1024)";
    if (err->step == CFS_STEP_MOUNTS && err->err == EROFS)
        return " (the root is read-only, so a missing mount point cannot be made: use a target that"
               " exists in a layer, or make it there)";
    if (err->step == CFS_STEP_ID_MAP)
        return " (newuidmap and newgidmap map the ranges of /etc/subuid and /etc/subgid: check"
               " that they hold a line for this user, or remove it for a map of your id alone)";
    if (err->step == CFS_STEP_CLONE && err->err == ENOSPC)
        return " (user namespaces are limited: see /proc/sys/user/max_user_namespaces)";
    if (err->step == CFS_STEP_SETNS && err->err == ENOMEM && strcmp(err->path, "pid") == 0)
        return " (the pid namespace given has no process 1 left: the container that made it has"
               " ended)";
    if (err->step == CFS_STEP_DEV && err->err == EPERM)
        return " (a device node cannot be made here: mknod(2) needs CAP_MKNOD in the host's user"
               " namespace, and the host has no node of that type and number at that path to"
               " bind instead)";
    if (err->step == CFS_STEP_SYSCTL && err->err == EPERM)
        return " (a sysctl is written only in a namespace the container has of its own: net.* in"
               " its network namespace, kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* in its"
               " IPC namespace; one joined by path that is the runtime's own is the host's)";
    if (err->err == EPERM)
        return " (needs root with CAP_SYS_ADMIN: run it with sudo on a privileged machine)";
    if (err->step == CFS_STEP_MOUNTPOINT && err->err == EBUSY)
        return " (the root is mounted over TMPDIR in the container's own mount namespace: set"
               " TMPDIR to a directory other than /, and outside /proc and /dev)";
    if (err->step == CFS_STEP_MOUNTPOINT)
        return " (the root is mounted over TMPDIR in the container's own mount namespace: set"
               " TMPDIR to an existing directory)";
    if (err->step == CFS_STEP_WORKDIR && err->err == ENOTEMPTY)
        return " (overlayfs empties its work directory when it mounts: give an empty directory,"
               " or no --overlay-workdir for a new one beside WRITEDIR)";
    if (err->step == CFS_STEP_WRITABLE && err->err == EROFS)
        return " (overlayfs could not make work/ in this work directory and mounted the root"
               " read-only: WRITEDIR's filesystem has no free inode or cannot be an upper layer;"
               " dmesg says which)";
    if (err->step == CFS_STEP_WORKDIR && err->err == EACCES)
        return " (the work directory is made beside WRITEDIR, so WRITEDIR's parent must be"
               " writable; or give one with --overlay-workdir DIR)";
    if (err->step == CFS_STEP_WORKDIR && err->err == EXDEV)
        return " (WRITEDIR is a mount point, so no directory beside it is on its filesystem;"
               " give a work directory on WRITEDIR's filesystem with --overlay-workdir DIR)";
    if (err->step == CFS_STEP_OVERLAY && err->err == ELOOP)
        return " (overlayfs found overlapping layers: one inside another, or one directory reached"
               " by two paths, such as through a bind mount)";
    if (err->step == CFS_STEP_CGROUP && (err->err == ENOENT || err->err == EROFS))
        return " (every container needs the cgroup filesystem at /sys/fs/cgroup, writable: its"
               " device rules keep it from the host's devices (--privileged has none), and the"
               " limits need the memory, pids and cpu controllers; run on the host, not in a"
               " container)";
    if (err->step == CFS_STEP_DEV && err->err == ENODEV)
        return " (--device takes a character or block device of the host, such as /dev/loop0)";
    if (err->step == CFS_STEP_CGROUP && err->err == EINVAL)
        return " (the kernel refused the value: check --memory, --memory-swap, --pids-limit and"
               " --cpus)";
    if (err->step == CFS_STEP_MOUNTS && err->err == EINVAL && strstr(err->path, "..") != NULL)
        return " (a path in the container may not name `..`: it would lead out of the"
               " container's root; give it without)";
    if (err->step == CFS_STEP_MOUNTS && err->err == ENOTDIR)
        return " (a directory mounts on a directory and a file on a file: is one of -v's paths a"
               " file and the other a directory?)";
    if (err->step == CFS_STEP_NET_STACK && (err->err == ECHILD || err->err == ETIMEDOUT))
        return " (slirp4netns did not bring up the container's network: run it by hand to see"
               " why, or use --network none or --network host)";
    if (err->step == CFS_STEP_TTY && err->err == ENOTTY)
        return " (-t needs a terminal: run it from one, or leave -t out to pipe input; for an"
               " OCI config's process.terminal, give run a --console-socket)";
    if (err->step == CFS_STEP_OVERLAY)
        return " (are the layers on a filesystem overlayfs supports? a VirtualBox shared folder"
               " such as /vagrant is not: copy them to the VM's disk)";
    return "";
}

/* A layer or work directory the rules of layers.c refused, named as the
 * user gave it; the words say what to do instead. */
static int
format_layer_error(const cfs_error_t *err, const char *why, char *buf, size_t size)
{
    switch (err->rule) {
    case CFS_RULE_SAME_DIRECTORY:
        return snprintf(buf, size,
                        "layers '%s' and '%s' are the same directory (%s); list each layer once",
                        err->path, err->other, err->detail);
    case CFS_RULE_UPPER_IN_LOWER:
        return snprintf(buf, size,
                        "WRITEDIR '%s' is inside the lower layer '%s'; put WRITEDIR outside every "
                        "lower layer",
                        err->path, err->other);
    case CFS_RULE_LOWER_IN_UPPER:
        return snprintf(buf, size,
                        "lower layer '%s' is inside WRITEDIR '%s'; put WRITEDIR outside every "
                        "lower layer",
                        err->path, err->other);
    case CFS_RULE_NOT_WRITABLE:
        return snprintf(buf, size,
                        "WRITEDIR '%s' is not writable%s; the last layer must be a writable "
                        "directory",
                        err->path,
                        err->err == EROFS ? " (its filesystem is mounted read-only)" : "");
    case CFS_RULE_WORK_OVERLAPS:
        return snprintf(buf, size,
                        "work directory '%s' overlaps the layer %s; choose a directory beside "
                        "WRITEDIR, not inside or around a layer",
                        err->path, err->other);
    case CFS_RULE_RUNNING_WRITEDIR:
        return snprintf(buf, size,
                        "%s `%s` overlaps `%s`, the WRITEDIR of the running container of process "
                        "%d: what one writes would change under the other; wait for it to end or "
                        "use another directory",
                        err->detail, err->path, err->other, err->holder);
    case CFS_RULE_RUNNING_WORKDIR:
        return snprintf(buf, size,
                        "%s `%s` overlaps `%s`, the work directory of the running container of "
                        "process %d: what one writes would change under the other; wait for it "
                        "to end or use another directory",
                        err->detail, err->path, err->other, err->holder);
    case CFS_RULE_RUNNING_LOWER:
        return snprintf(buf, size,
                        "%s `%s` overlaps `%s`, a lower layer of the running container of "
                        "process %d: writing there would change that container's layers; wait "
                        "for it to end or use another directory",
                        err->detail, err->path, err->other, err->holder);
    case CFS_RULE_WORK_ELSEWHERE:
        return snprintf(buf, size,
                        "work directory '%s' is on another filesystem than WRITEDIR '%s'; "
                        "overlayfs needs both on the same one",
                        err->path, err->other);
    }
    {
        const char *what = err->rule == CFS_RULE_WORK_DIRECTORY ? "work directory" : "layer";

        if (err->err == ENOENT)
            return snprintf(buf, size, "%s '%s' does not exist", what, err->path);
        if (err->err == ENOTDIR)
            return snprintf(buf, size, "%s '%s' is not a directory", what, err->path);
        return snprintf(buf, size, "%s '%s' cannot be read: %s", what, err->path, why);
    }
}

/* "mount overlay on `/tmp/x/root`: Invalid argument (are the layers …)". */
int
cfs_format_error(const cfs_error_t *err, char *buf, size_t size)
{
    char reason[256];
    const char *why = strerror_r(err->err, reason, sizeof reason);
    const char *name = cfs_step_name(err->step);

    if (err->step == CFS_STEP_OOM)
        return snprintf(buf, size,
                        "the container reached its memory limit (--memory %s) and the kernel's OOM "
                        "killer ended it (exit status 137)",
                        err->path);
    if (err->step == CFS_STEP_STOPPED)
        return snprintf(buf, size,
                        "stopped at the pause before `%s` (q): the container, if started, was "
                        "killed, and everything made for it removed",
                        err->path);
    if (err->step == CFS_STEP_TERMINAL)
        return snprintf(buf, size,
                        "--step waits for Enter on the terminal, and `%s` cannot be opened: %s; "
                        "run it from a terminal, or without --step",
                        err->path, why);
    if (err->step == CFS_STEP_ROOTLESS)
        return snprintf(buf, size, "%s", err->detail);
    if (err->step == CFS_STEP_OPTIONS && err->err == E2BIG)
        return snprintf(buf, size,
                        "%s: the layer paths make an option string longer than mount(2)'s "
                        "limit of %d bytes; past it they are given one by one, which needs "
                        "Linux 6.8 (fsopen(2), overlayfs's lowerdir+) and paths under 256 bytes "
                        "each; use shorter paths or fewer layers",
                        name, CFS_OPTIONS_MAX - 1);
    if (err->step == CFS_STEP_NET_STACK && err->err == ENOENT && err->path[0] != '/')
        return snprintf(buf, size,
                        "%s not found in PATH: the default --network private needs it; install "
                        "the slirp4netns package (apt-get install slirp4netns), or run with "
                        "--network none (no network) or --network host (the host's)",
                        err->path);
    if (err->step == CFS_STEP_NET_STACK && err->err == EADDRINUSE)
        return snprintf(buf, size,
                        "%s: slirp4netns could not listen on the host's port: is another program "
                        "using it, or is the address not one of this host's?",
                        err->path);
    if (err->step == CFS_STEP_HOOK && err->detail[0] != '\0') /* "exited with status 3" */
        return snprintf(buf, size, "%s `%s`: %s", name, err->path, err->detail);
    if (err->rule != CFS_RULE_NONE || (err->step == CFS_STEP_LAYERS && err->path[0] != '\0'))
        return format_layer_error(err, why, buf, size);
    if (err->step == CFS_STEP_SETNS && err->err == EINVAL && err->detail[0] != '\0')
        return snprintf(
            buf, size,
            "linux.namespaces: `%s` is no namespace of type %s (a /proc/PID/ns file of one,"
            " or a bind mount of that)",
            err->path, err->detail);
    if (err->detail[0] != '\0')
        return snprintf(buf, size, "%s on `%s`: %s (the kernel says: %s)", name, err->path, why,
                        err->detail);
    if (err->step == CFS_STEP_LOCK && err->err == EWOULDBLOCK && err->holder > 0)
        return snprintf(buf, size,
                        "`%s` is in use by the container of process %d: two containers on one "
                        "WRITEDIR or work directory lose writes; wait for it to end or use another",
                        err->path, err->holder);
    if (err->step == CFS_STEP_LOCK && err->err == EWOULDBLOCK)
        return snprintf(buf, size,
                        "`%s` is in use by another container: two containers on one WRITEDIR or "
                        "work directory lose writes; wait for it to end or use another",
                        err->path);
    if (err->path[0] == '\0')
        return snprintf(buf, size, "%s: %s%s", name, why, hint(err));
    if (err->step == CFS_STEP_EXEC)
        return snprintf(buf, size, "%s `%s`: %s%s", name, err->path, why, hint(err));
    if (err->step == CFS_STEP_LIMITS) /* "RLIMIT_NOFILE soft 1 hard 2 (the hard limit here is 3)" */
        return snprintf(buf, size, "%s %s: %s%s", name, err->path, why, hint(err));
    if (err->step == CFS_STEP_LOADER)
        return snprintf(buf, size,
                        "%s `%s`: the command is there, but its interpreter (the #! line) or its "
                        "dynamic loader (a binary built for another libc) is missing in the "
                        "container: %s",
                        name, err->path, why);
    return snprintf(buf, size, "%s on `%s`: %s%s", name, err->path, why, hint(err));
}
