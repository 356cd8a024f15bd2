/* exec (docs/OCI.md): one more process in a running OCI container, contained
 * as the container's own process is.  create's child (container.c) made the
 * namespaces, the root and the cgroup; this joins them and then applies the
 * same last steps, the same functions, that container_init does before its
 * exec: limits, descriptors, no_new_privs, seccomp, user, capabilities.
 *
 *   parent (JVM thread)                      helper (CLONE_VM | CLONE_VFORK), unseen
 *   open /proc/PID/ns/NAME that differ from  by the container: setns(PID) for its
 *   ours; open the cgroup's cgroup.procs     children only; cgroup_join [cgroup.c]
 *   [cgroup.c]; capabilities, seccomp        join_namespaces [here]: setns(2) each,
 *   program [security.c]; rlimits [exec.c];  the mount namespace last, which puts
 *   environment [environment.c]              it in the container's root; enter_cwd
 *   clone ---------------------------------> [rootfs.c]; reset_signals ... the
 *                                            terminal's descriptors, close_fds_but,
 *                                            no_new_privs, seccomp, user, capabilities
 *                                            [exec.c, security.c, tty.c]
 *                                            clone (a copy, CLONE_VFORK | CLONE_PARENT)
 *                                              child, in the PID namespace: the
 *                                              terminal's session; exec_command
 *   read the pipe: EOF = exec worked
 *   pid file; --detach: return; else wait
 *
 * The exec'd process is in the container's PID namespace, so the kernel
 * kills it when the container's PID 1 ends (pid_namespaces(7)).  There is no
 * user namespace to join: only root creates an OCI container (userns.c). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "environment.h"
#include "exec.h"
#include "namespaces.h"
#include "rootfs.h"
#include "security.h"
#include "supervise.h"
#include "tty.h"
#include "userns.h"

#define CHILD_STACK_SIZE (256 * 1024)

/* The namespaces a container of ours may have, in the order the child joins
 * them: a user namespace of its own first (a bundle's), which owns the
 * others; the mount namespace last, since setns(2) into it changes our root
 * and the /proc we would read.  pid is joined by the parent (below). */
static const struct {
    const char *name;
    int type;
} NAMESPACES[] = {
    { "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
    { "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },       { "mnt", CLONE_NEWNS },
};
#define NAMESPACE_COUNT (int)(sizeof NAMESPACES / sizeof NAMESPACES[0])

struct exec_context {
    const args_t *args;
    struct cfs_security security; /* capabilities and seccomp filter, as create's */
    struct cfs_rlimits rlimits;
    struct cfs_cgroup cgroup; /* the container's cgroup.procs, open */
    char **envp;
    int namespaces[NAMESPACE_COUNT]; /* the container's, where it differs from ours; else -1 */
    int pid_namespace;               /* the container's PID namespace, or -1 */
    struct cfs_tty tty;              /* --tty: a terminal of the container's devpts */
    int report_fd;                   /* write end of the close-on-exec error pipe */
    int report_read_fd;
    pid_t child;            /* the child, as the helper that joins a PID namespace cloned it */
    int helper_joined;      /* whether it joined the PID namespace */
    int helper_errno;       /* why it could not, or could not clone */
    cfs_error_t helper_err; /* the step of the child's set-up it failed at */
};

/* /proc/PID/ns/NAME open, when it is not the namespace we are in already
 * (same device and inode: namespaces(7)); else -1 with *fd left -1. */
static int
open_namespace(int pid, const char *name, int *fd, cfs_error_t *err)
{
    char theirs[64], ours[64];
    struct stat a, b;

    *fd = -1;
    snprintf(theirs, sizeof theirs, "/proc/%d/ns/%s", pid, name);
    snprintf(ours, sizeof ours, "/proc/self/ns/%s", name);
    if (stat(ours, &b) < 0 && errno == ENOENT)
        return 0; /* a namespace this kernel does not have (cgroup: Linux 4.6) */
    if (stat(theirs, &a) < 0)
        return cfs_fail(err, CFS_STEP_SETNS, theirs);
    if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return 0;
    *fd = open(theirs, O_RDONLY | O_CLOEXEC);
    return *fd < 0 ? cfs_fail(err, CFS_STEP_SETNS, theirs) : 0;
}

/* Parent: every namespace of the container's process PID that is not ours. */
static int
open_namespaces(struct exec_context *ctx, int pid, cfs_error_t *err)
{
    for (int i = 0; i < NAMESPACE_COUNT; i++)
        if (open_namespace(pid, NAMESPACES[i].name, &ctx->namespaces[i], err) < 0)
            return -1;
    return open_namespace(pid, "pid", &ctx->pid_namespace, err);
}

/* ---- the child: system calls only, as container_init's ---- */

static int
join_namespaces(const struct exec_context *ctx, cfs_error_t *err)
{
    for (int i = 0; i < NAMESPACE_COUNT; i++)
        if (ctx->namespaces[i] >= 0 && setns(ctx->namespaces[i], NAMESPACES[i].type) < 0)
            return cfs_fail(err, CFS_STEP_SETNS, NAMESPACES[i].name);
    return 0;
}

/* The environment's HOSTNAME: the name the container's uts namespace has
 * (create's, config.json's, or a pod's it joined), not one chosen here. */
static int
read_container_hostname(struct exec_context *ctx, cfs_error_t *err)
{
    char *name = ctx->security.hostname;
    size_t size = sizeof ctx->security.hostname;

    for (int i = 0; i < NAMESPACE_COUNT; i++)
        if (NAMESPACES[i].type == CLONE_NEWUTS && ctx->namespaces[i] >= 0)
            return cfs_uts_hostname(ctx->namespaces[i], name, size, err);
    /* the same uts namespace as ours */
    if (gethostname(name, size) < 0)
        return cfs_fail(err, CFS_STEP_HOSTNAME, "uts");
    name[size - 1] = '\0';
    return 0;
}

/* The helper's steps, in container_init's order from the cgroup on; the
 * root is the container's from setns(2) into its mount namespace, already
 * pivoted.  Every descriptor but the report pipe is closed, not only
 * marked: fd_dir is the helper's /proc/self/fd, for kernels before
 * close_range(2).  The terminal becomes the session's in the child. */
static int
exec_setup(struct exec_context *ctx, int fd_dir, cfs_error_t *err)
{
    const args_t *args = ctx->args;
    /* Our own copy: the helper's descriptors in the parent's memory would
     * name other files there (CLONE_VM without CLONE_FILES). */
    struct cfs_tty tty = ctx->tty;
    const long owner = args->user ? (long)args->uid : -1;

    if (close(ctx->report_read_fd) < 0 || cfs_cgroup_join(&ctx->cgroup, err) < 0
        || join_namespaces(ctx, err) < 0 || cfs_tty_create(&tty, err) < 0
        || cfs_enter_cwd(args, err) < 0 || cfs_reset_signals(err) < 0
        || cfs_restore_nofile(args, err) < 0 || cfs_set_rlimits(args, &ctx->rlimits, err) < 0
        || cfs_set_umask(args) < 0 || cfs_null_closed_stdio(args, err) < 0
        || cfs_tty_give(&tty, owner, err) < 0 || cfs_close_fds_but(ctx->report_fd, fd_dir, err) < 0
        || cfs_set_no_new_privileges(args, err) < 0
        || cfs_install_seccomp(args, &ctx->security, err) < 0
        || cfs_drop_bounding_set(args, &ctx->security, err) < 0 || cfs_switch_user(args, err) < 0
        || cfs_set_capabilities(args, &ctx->security, err) < 0)
        return cfs_exit_status(err);
    return 0;
}

/* The exec, or the report of why it failed; with take_tty, first the
 * terminal exec_setup gave descriptors 0-2 as our own session's. */
static void
exec_and_report(struct exec_context *ctx, int take_tty)
{
    cfs_error_t err;
    int status;

    memset(&err, 0, sizeof err);
    if (take_tty && cfs_tty_control(&err) < 0)
        status = cfs_exit_status(&err);
    else
        status = cfs_exec_command(ctx->args, ctx->envp, &err);
    if (write(ctx->report_fd, &err, sizeof err) < 0) {
        /* the exit status still says it failed */
    }
    _exit(status);
}

/* ---- the parent ---- */

/* setns(2) with CLONE_NEWPID changes the PID namespace of the caller's
 * later children only, never its own, and there is no going back to ours
 * unless we hold CAP_SYS_ADMIN where it was made: under a rootless engine it
 * is the host's, whose user namespace is not ours.  So a helper that shares
 * our memory joins it and clones the child as ours (CLONE_PARENT), then
 * ends; our own PID namespace for children never changes.  A mount
 * namespace cannot be joined so by a multithreaded process (EINVAL): the
 * helper, with a root and descriptors of its own, can.  A container in our
 * own PID namespace (none to join) goes the same way.
 *
 * The child is seen in the container from its clone on, by processes that
 * may hold CAP_SYS_PTRACE, and so may open its /proc/PID/root, cwd, fd/N
 * and mem as their own: it must hold nothing of the host by then.  So the
 * helper, which the container cannot see, takes every step itself (the
 * namespaces, mount last; closing the JVM's descriptors; the container's
 * seccomp filter, user and capabilities), and the child is a copy of it,
 * not our memory (no CLONE_VM: with it, /proc/PID/mem would write into the
 * JVM), that only execs. */
static int
clone_in_pid_namespace(void *arg)
{
    struct exec_context *ctx = arg;
    int fd_dir, dumpable = prctl(PR_GET_DUMPABLE);
    long pid;

    if (ctx->pid_namespace >= 0 && setns(ctx->pid_namespace, CLONE_NEWPID) < 0) {
        ctx->helper_errno = errno;
        ctx->helper_joined = 0;
        _exit(1);
    }
    ctx->helper_joined = 1;
    /* The child's copy of our memory is not dumpable, so that only a
     * process with CAP_SYS_PTRACE may open its /proc/PID/environ, mem and
     * exe (the front end's environment and binary; ptrace(2), "Ptrace
     * access mode checking"): its capabilities are the container's by
     * then, no more than a reader's.  Set on the JVM's memory, which we
     * share, and so inherited by the copy; before the seccomp filter,
     * which may not allow prctl(2); the JVM's own back after the exec. */
    if (prctl(PR_SET_DUMPABLE, 0) < 0) {
        cfs_fail(&ctx->helper_err, CFS_STEP_PREPARE, "");
        _exit(1);
    }
    /* The host's /proc, for closing descriptors before close_range(2). */
    fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_dir < 0) {
        cfs_fail(&ctx->helper_err, CFS_STEP_FDS, "/proc/self/fd");
        _exit(1);
    }
    if (exec_setup(ctx, fd_dir, &ctx->helper_err) != 0) {
        prctl(PR_SET_DUMPABLE, dumpable);
        _exit(1);
    }
    /* Suspended till the child's exec (CLONE_VFORK), as we are till we end. */
    pid = syscall(SYS_clone, CLONE_VFORK | CLONE_PARENT, 0, NULL, NULL, 0);
    if (pid == 0)
        exec_and_report(ctx, ctx->args->tty);
    ctx->child = (pid_t)pid;
    if (pid < 0)
        cfs_fail(&ctx->helper_err, CFS_STEP_CLONE, "");
    prctl(PR_SET_DUMPABLE, dumpable); /* a filter that refuses it leaves the JVM undumpable */
    _exit(0);
}

static pid_t
clone_into(struct exec_context *ctx, void *stack, cfs_error_t *err)
{
    pid_t helper;

    /* The helper shares our memory, and we are suspended till it ends
     * (CLONE_VFORK), after the child's exec. */
    ctx->child = -1;
    ctx->helper_errno = ctx->helper_joined = 0;
    memset(&ctx->helper_err, 0, sizeof ctx->helper_err);
    helper = clone(clone_in_pid_namespace, (char *)stack + CHILD_STACK_SIZE,
                   CLONE_VM | CLONE_VFORK | SIGCHLD, ctx);
    if (helper < 0)
        return cfs_fail(err, CFS_STEP_CLONE, "");
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (ctx->helper_err.step != CFS_STEP_NONE) {
        *err = ctx->helper_err;
        return -1;
    }
    errno = ctx->helper_errno;
    if (ctx->child < 0)
        return ctx->helper_joined ? cfs_fail(err, CFS_STEP_CLONE, "")
                                  : cfs_fail(err, CFS_STEP_SETNS, "pid");
    return ctx->child;
}

/* The container's cgroup, to join; none in an engine's user namespace
 * (rootless podman), where the container was made without one (container.c). */
static int
open_cgroup(const args_t *args, struct cfs_cgroup *cgroup, cfs_error_t *err)
{
    if (cfs_userns_is_joined()) {
        memset(cgroup, 0, sizeof *cgroup);
        return 0;
    }
    return cfs_cgroup_open_oci(args->oci_id, args->cgroups_path, cgroup, err);
}

/* Clone the child, learn whether its exec worked; then, unless detached,
 * wait for it, forwarding SIGTERM and SIGHUP as a run does. */
static int
clone_and_wait(struct exec_context *ctx, int detach, cfs_error_t *err, int *wait_status)
{
    /* --tty's terminal comes back to us; one sent to a console socket is the engine's. */
    const int relayed = ctx->args->tty && ctx->args->console_socket == NULL;
    struct sigaction saved[CFS_HANDLED_SIGNALS];
    cfs_error_t report;
    int pipefd[2], result = -1;
    void *stack;
    pid_t pid;

    memset(&report, 0, sizeof report);
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return cfs_fail(err, CFS_STEP_PREPARE, "");
    stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        cfs_fail(err, CFS_STEP_PREPARE, "");
        goto close_pipe;
    }
    if (cfs_take_over_signals(saved) < 0) {
        cfs_fail(err, CFS_STEP_PREPARE, "");
        goto unmap;
    }
    ctx->report_fd = pipefd[1];
    ctx->report_read_fd = pipefd[0];
    pid = clone_into(ctx, stack, err);
    if (pid < 0)
        goto restore;
    close(pipefd[1]);
    pipefd[1] = -1;
    if (relayed)
        cfs_tty_receive(&ctx->tty); /* when it fails, the child's report says why */
    if (cfs_read_report(pipefd[0], &report) > 0) {
        *err = report;
        cfs_wait_for_child(ctx->args->trace, pid, wait_status);
        goto restore;
    }
    /* After the exec (we were suspended till then, CLONE_VFORK): the program
     * runs its first instructions with our score, then its own. */
    if (cfs_set_oom_score_adj(ctx->args, pid, err) < 0) {
        kill(pid, SIGKILL);
        cfs_wait_for_child(ctx->args->trace, pid, wait_status);
        goto restore;
    }
    if (ctx->args->pid_file != NULL && cfs_write_pid_file(ctx->args->pid_file, pid, err) < 0) {
        kill(pid, SIGKILL);
        cfs_wait_for_child(ctx->args->trace, pid, wait_status);
        goto restore;
    }
    if (detach) { /* it outlives us, reparented to the caller's subreaper */
        *wait_status = 0;
        result = 0;
        goto restore;
    }
    cfs_start_forwarding(pid);
    if (relayed)
        cfs_tty_relay(&ctx->tty);
    if (cfs_wait_for_child(ctx->args->trace, pid, wait_status) < 0)
        cfs_fail(err, CFS_STEP_WAIT, "");
    else
        result = 0;
restore:
    cfs_restore_signals(saved, CFS_HANDLED_SIGNALS);
unmap:
    munmap(stack, CHILD_STACK_SIZE); /* clone_into's helper's; the child ran on its copy */
close_pipe:
    close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return result;
}

int
cfs_exec_in_container(const args_t *args, int container_pid, int detach, cfs_error_t *err)
{
    struct exec_context *ctx;
    int wait_status = 0;

    memset(err, 0, sizeof *err);
    cfs_cover_closed_stdio();
    if (args->argc < 1 || args->argv == NULL || args->argv[0] == NULL || args->oci_id == NULL) {
        errno = EINVAL;
        cfs_fail(err, CFS_STEP_EXEC, "");
        return cfs_exit_status(err);
    }
    ctx = calloc(1, sizeof *ctx); /* the seccomp program: not on the JVM thread's stack */
    if (ctx == NULL) {
        cfs_fail(err, CFS_STEP_PREPARE, "");
        return cfs_exit_status(err);
    }
    ctx->args = args;
    ctx->pid_namespace = -1;
    ctx->tty.master = ctx->tty.slave = ctx->tty.parent_end = ctx->tty.child_end = -1;
    for (int i = 0; i < NAMESPACE_COUNT; i++)
        ctx->namespaces[i] = -1;
    if (open_namespaces(ctx, container_pid, err) == 0 && open_cgroup(args, &ctx->cgroup, err) == 0
        && cfs_prepare_security(args, &ctx->security, err) == 0
        && read_container_hostname(ctx, err) == 0
        && cfs_prepare_rlimits(args, &ctx->rlimits, err) == 0
        && (ctx->envp = cfs_build_environment(args, ctx->security.hostname, err)) != NULL
        && (!args->tty || cfs_tty_open_for(args, &ctx->tty, err) == 0))
        clone_and_wait(ctx, detach, err, &wait_status);
    cfs_tty_close(&ctx->tty);
    cfs_free_environment(ctx->envp);
    cfs_cgroup_close(&ctx->cgroup);
    for (int i = 0; i < NAMESPACE_COUNT; i++)
        if (ctx->namespaces[i] >= 0)
            close(ctx->namespaces[i]);
    if (ctx->pid_namespace >= 0)
        close(ctx->pid_namespace);
    free(ctx);
    if (err->step != CFS_STEP_NONE)
        return cfs_exit_status(err);
    return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}
