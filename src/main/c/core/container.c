/* The life of a container, on one screen; [file] is where each step lives,
 * named here without its cfs_ prefix.
 *
 *   parent (JVM thread)                        child (new mount, PID, UTS, IPC namespaces;
 *                                              and network unless --network host; and user
 *                                              when not root [userns.c])
 *   not root: subuid ranges, refuse what       userns_wait: for the id map [userns.c]
 *   needs root [userns.c]; before Linux 5.11,
 *   find fuse-overlayfs [fuse_overlay.c]
 *   lock WRITEDIR, make the work directory     die_with_parent [here], watchdog_hand_over
 *   beside it [directories.c]                  [watchdog.c], cgroup_join, cgroup_unshare
 *                                              [cgroup.c], join_network [network.c]
 *   capabilities, seccomp program, hostname    make_mounts_private, open_volume_sources [rootfs.c]
 *   [security.c]; environment [environment.c]  mount_overlay, check_root_writable [overlay.c]
 *                                              (or fuse_mount [fuse_overlay.c])
 *   option string [overlay.c,                  enter_root, mount_proc, mount_dev [rootfs.c]
 *   overlay_options.c]; --device nodes; the    make_devices [devices.c], tty_create [tty.c]
 *   cgroup and its device rules [devices.c,    mount_sys, protect_kernel_files,
 *   cgroup.c]; pty socket [tty.c]; find        mount_volumes, pivot_into_root [rootfs.c]
 *   slirp4netns [network.c]                    set_hostname [security.c]
 *   pipe2(O_CLOEXEC), mmap a stack [here];     enter_cwd [rootfs.c]
 *   the watchdog [watchdog.c, init/watch.c]
 *   ignore SIGINT/SIGQUIT, forward SIGTERM/
 *   SIGHUP once exec'd [supervise.c]
 *   clone(NAMESPACES) [here] ----------------> wait_for_network, use_stack_dns
 *   not root: map ids [userns.c] -- "go" --->  (its first step, userns_wait)
 *   fork fuse-overlayfs's starter, which <--->  (fuse_mount hands it /dev/fuse)
 *   serves the child's /dev/fuse [fuse_overlay.c]
 *   start slirp4netns [network.c] -- "go" -->  [network.c]; reset_signals, restore_nofile,
 *   read the pipe: EOF = exec worked           null_closed_stdio [exec.c]
 *   [supervise.c]; relay the pty (-t)          tty_attach [tty.c]
 *   [tty.c]; waitpid [supervise.c]             mark_fds_cloexec [exec.c]
 *   OOM report [supervise.c], --stats,         set_no_new_privileges, install_seccomp,
 *   remove the cgroup [cgroup.c], restore      drop_bounding_set, switch_user,
 *   signals [supervise.c], remove the          set_capabilities [security.c]
 *   directories, unlock [directories.c]        exec_command, or start_under_init for
 *   the init program's memfd                   --init [exec.c], which execs the init
 *   [init_program.c]; at the end, stop         program as PID 1 [init/main.c, init.c]
 *   slirp4netns [network.c]
 *                                              (or report {step, errno} [here])
 *   --step: show each pause, read Enter from   --step: pause before a step's call
 *   /dev/tty [step.c]                          [pause.c, trace.c]
 *
 *   An OCI bundle's hooks [hooks.c]: before pivot_root the child waits while
 *   the parent runs createRuntime and prestart, then runs createContainer
 *   itself (run_hooks_before_pivot); startContainer runs right before exec.
 *
 * This file is the orchestrator: the parent's preparation
 * (cfs_run_container), the clone and the wait (clone_and_wait), and the
 * child's chain of steps (container_init).  Each step is in the module of
 * its concern and takes args_t and the piece of the context it works on.
 *
 * The JVM is multithreaded: another thread may hold malloc's or stdio's lock
 * at the moment of clone(), and the child inherits the lock but not the
 * thread; and until it execs, the child shares the parent's memory
 * (CLONE_VM | CLONE_VFORK, as posix_spawn's child does).  So the child makes
 * system calls only (no malloc, no stdio, no JNI) and writes only its own
 * stack, not even environ; everything it needs was prepared in args_t before
 * clone().  Every mount is made in the child's own mount namespace, so
 * nothing can be left in the host's mount table, whatever happens to either
 * process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "cgroup.h"
#include "devices.h"
#include "directories.h"
#include "environment.h"
#include "exec.h"
#include "fuse_overlay.h"
#include "hooks.h"
#include "init_program.h"
#include "namespaces.h"
#include "network.h"
#include "overlay.h"
#include "rootfs.h"
#include "security.h"
#include "step.h"
#include "supervise.h"
#include "trace.h"
#include "tty.h"
#include "userns.h"
#include "watchdog.h"

#define CHILD_STACK_SIZE (1024 * 1024)
/* A mount, PID, UTS and IPC namespace of its own; a network namespace too
 * unless --network host (README, "Security"). */
#define NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)

struct child_context {
    const args_t *args;
    /* The real paths of the layers (bottom to top), WRITEDIR and the work
     * directory, for the option string, for fsconfig(2) one by one and for
     * messages; and TMPDIR, which the overlay goes on, in our namespace only. */
    const struct cfs_directories *dirs;
    char options[CFS_OPTIONS_MAX]; /* "lowerdir=…,upperdir=…,workdir=…", or "": one by one */
    struct cfs_security security;  /* capabilities, seccomp filter, hostname */
    struct cfs_devices devices;    /* --device's nodes, resolved on the host */
    struct cfs_joined joined;      /* linux.namespaces' paths, open */
    struct cfs_cgroup cgroup;      /* device rules, and limits when any were asked for */
    struct cfs_tty tty;            /* -t: the container's own terminal */
    char **envp;                   /* the command's environment */
    int report_fd;                 /* write end of the close-on-exec error pipe */
    int report_read_fd;            /* its read end: the parent's, closed in the child */
    int program_fd;  /* the init program, a sealed memfd: --init's PID 1 and the watchdog */
    int watchdog_fd; /* the socket the child hands itself over to the watchdog on, or -1 */
    struct cfs_rlimits rlimits; /* process.rlimits' resource numbers and messages */
    char **sysctl_paths;        /* linux.sysctl's files under proc/sys */
    int fifo_fd; /* create: args->exec_fifo, open O_PATH, which the child waits on; or -1 */
    /* With hooks before exec: a socket pair; the child, before pivot_root,
     * writes a byte on [1] and waits; the parent runs createRuntime and
     * prestart, then sends the child its pid as the host sees it on [0],
     * which the state of createContainer and startContainer needs.  -1: none. */
    int hook_sync[2];
    pid_t host_pid;                   /* the child's copy of that pid */
    struct cfs_stepper stepper;       /* --step: the terminal and the pipes of the pauses */
    struct cfs_network_stack network; /* slirp4netns and the pipe the child waits on */
    struct cfs_userns userns; /* rootless: the ids to map, and the pipe the child waits on */
    struct cfs_fuse fuse;     /* rootless before Linux 5.11: fuse-overlayfs mounts the root */
};

/* ---- the child ---- */

/* Die with container-fs.  PR_SET_PDEATHSIG sends SIGKILL when the thread
 * that cloned us ends (prctl(2)); it blocks in waitpid for as long as we
 * live.  The parent may have died before this call, and getppid() cannot
 * tell in a new PID namespace (it is 0 there): the report pipe can.  Once
 * our copy of its read end is closed, a pipe whose reader is gone polls as
 * POLLERR (pipe(7), poll(2)).  Then nobody waits for us: leave at once. */
static int
die_with_parent(const struct child_context *ctx, cfs_error_t *err)
{
    struct pollfd report = { .fd = ctx->report_fd, .events = POLLOUT };

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || close(ctx->report_read_fd) < 0
        || poll(&report, 1, 0) < 0)
        return cfs_fail(err, CFS_STEP_PARENT, "");
    if (report.revents & POLLERR)
        _exit(128 + SIGKILL);
    return 0;
}

/* create: the set-up is done.  Close the report pipe, whose end of file
 * tells the parent so (and that nothing more will be reported: a failure
 * from here on is a line on the container's stderr), then open the exec
 * FIFO for writing, which blocks until start opens it for reading, and
 * write one byte.  Through /proc/self/fd: its path is the host's, not in
 * our root.  Before no_new_privs, seccomp and the user switch, which could
 * forbid the open. */
static int
wait_for_start(struct child_context *ctx, cfs_error_t *err)
{
    char path[32] = "/proc/self/fd/", digits[12];
    int n = 0, fd, len = (int)strlen(path);
    const char byte = 0;

    if (ctx->fifo_fd < 0)
        return 0;
    for (int v = ctx->fifo_fd; n == 0 || v > 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    while (n > 0)
        path[len++] = digits[--n];
    path[len] = '\0';
    close(ctx->report_fd);
    ctx->report_fd = -1;
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, &byte, 1) != 1)
        return cfs_fail(err, CFS_STEP_START, ctx->args->exec_fifo);
    close(fd);
    close(ctx->fifo_fd);
    return 0;
}

/* Before pivot_root: let the parent run createRuntime and prestart (its
 * end of file, or a short answer, means it failed and kills us), learn our
 * pid as the host sees it, then run createContainer here, in the
 * container's namespaces, where the host's paths still resolve. */
static int
run_hooks_before_pivot(struct child_context *ctx, cfs_error_t *err)
{
    const char ready = 1;
    int pid = 0;

    if (ctx->hook_sync[1] < 0)
        return 0;
    close(ctx->hook_sync[0]);
    if (write(ctx->hook_sync[1], &ready, 1) != 1
        || read(ctx->hook_sync[1], &pid, sizeof pid) != (ssize_t)sizeof pid) {
        errno = EPIPE;
        return cfs_fail(err, CFS_STEP_HOOK, "");
    }
    close(ctx->hook_sync[1]);
    ctx->host_pid = pid;
    return cfs_run_hooks(ctx->args, CFS_HOOK_CREATE_CONTAINER, "creating", pid, err);
}

/* After start, right before exec: startContainer, in the container, as
 * its program will be (as runc runs it): its user, capabilities, seccomp
 * filter and no_new_privs, so a hook the image provides gets no more than
 * the program would. */
static int
run_start_hooks(const struct child_context *ctx, cfs_error_t *err)
{
    return cfs_run_hooks(ctx->args, CFS_HOOK_START_CONTAINER, "created", ctx->host_pid, err);
}

/* The child's steps, in the order they must run; each returns 0, or -1
 * with *err filled, and the first to fail ends the chain.  Returns only
 * when the command could not be run, with its exit status. */
static int
container_init(struct child_context *ctx, cfs_error_t *err)
{
    const args_t *args = ctx->args;
    int sources[args->nmounts + 1]; /* -v's, open: on our own stack (CLONE_VM) */

    if (cfs_userns_wait(&ctx->userns, err) < 0
        || (ctx->fifo_fd >= 0 ? close(ctx->report_read_fd) : die_with_parent(ctx, err)) < 0
        || cfs_watchdog_hand_over(&ctx->watchdog_fd, err) < 0
        || cfs_cgroup_join(&ctx->cgroup, err) < 0 || cfs_namespaces_join(&ctx->joined, err) < 0
        || cfs_cgroup_unshare(args, err) < 0 || cfs_join_network(args, &ctx->network, err) < 0
        || cfs_make_mounts_private(args, err) < 0 || cfs_open_volume_sources(args, sources, err) < 0
        || cfs_pause(args, CFS_PAUSE_OVERLAY) < 0
        || (ctx->fuse.active
                ? cfs_fuse_mount(args, &ctx->fuse, ctx->dirs->mountpoint, err)
                : cfs_mount_overlay(args, ctx->dirs, ctx->options, ctx->userns.active, err))
               < 0
        || cfs_check_root_writable(args, ctx->dirs, err) < 0
        || cfs_enter_root(args, ctx->dirs->mountpoint, err) < 0 || cfs_mount_proc(args, err) < 0
        || cfs_mount_dev(args, err) < 0 || cfs_make_devices(args, &ctx->devices, err) < 0
        || cfs_tty_create(&ctx->tty, err) < 0 || cfs_mount_sys(args, err) < 0
        || cfs_write_sysctls(args, ctx->sysctl_paths, err) < 0
        || cfs_protect_kernel_files(args, err) < 0
        || cfs_mount_volumes(args, sources, &ctx->cgroup, err) < 0
        || run_hooks_before_pivot(ctx, err) < 0 || cfs_pivot_into_root(args, err) < 0
        || cfs_pause(args, CFS_PAUSE_HOSTNAME) < 0
        || cfs_set_hostname(args, &ctx->security, err) < 0 || cfs_enter_cwd(args, err) < 0
        || cfs_wait_for_network(args, &ctx->network, err) < 0 || cfs_use_stack_dns(args, err) < 0
        || cfs_reset_signals(err) < 0 || cfs_restore_nofile(args, err) < 0
        || cfs_set_rlimits(args, &ctx->rlimits, err) < 0 || cfs_set_umask(args) < 0
        || cfs_null_closed_stdio(args, err) < 0
        || cfs_tty_attach(&ctx->tty, args->user ? (long)args->uid : -1, err) < 0
        || cfs_mark_fds_cloexec(3, err) < 0 || wait_for_start(ctx, err) < 0
        || cfs_set_no_new_privileges(args, err) < 0 || cfs_pause(args, CFS_PAUSE_SECCOMP) < 0
        || cfs_install_seccomp(args, &ctx->security, err) < 0
        || cfs_pause(args, CFS_PAUSE_CAPABILITIES) < 0
        || cfs_drop_bounding_set(args, &ctx->security, err) < 0 || cfs_switch_user(args, err) < 0
        || cfs_set_capabilities(args, &ctx->security, err) < 0 || run_start_hooks(ctx, err) < 0)
        return cfs_exit_status(err);
    if (args->init)
        return cfs_start_under_init(args, ctx->envp, ctx->program_fd, err);
    return cfs_exec_command(args, ctx->envp, err);
}

static int
child_main(void *arg)
{
    /* A copy on the child's own stack: the child may share the parent's memory
     * (clone_and_wait), and its steps fill in parts of it (the terminal's fds). */
    struct child_context ctx = *(const struct child_context *)arg;
    cfs_error_t err;
    int status;

    memset(&err, 0, sizeof err);
    if (ctx.args->step)
        cfs_step_child_start(&ctx.stepper); /* no CLONE_VM under --step: statics are ours */
    status = container_init(&ctx, &err);
    /* Reached only on failure: tell the parent which step, then leave
     * without running atexit handlers or flushing stdio we never owned.
     * After create's parent has gone, the container's stderr is told. */
    if (ctx.report_fd < 0) {
        char line[CFS_MESSAGE_MAX];
        int n;
        cfs_name_in_container(&err);
        n = cfs_format_error(&err, line, sizeof line);
        if (n > 0 && write(2, "container-fs: ", 14) > 0 && write(2, line, (size_t)n) > 0) {
            (void)write(2, "\n", 1);
        }
    } else if (write(ctx.report_fd, &err, sizeof err) < 0) {
        /* nothing more can be done: the exit status still says it failed */
    }
    _exit(status);
}

/* ---- the parent ---- */

/* The watchdog of the container about to be cloned, holding the locks that
 * must last as long as the container: WRITEDIR's, the work directory's,
 * its cgroups'.  Sets ctx->watchdog_fd. */
static pid_t
start_watchdog(struct child_context *ctx, cfs_error_t *err)
{
    int locks[3 + CFS_CGROUP_DIRS], n = 0;

    locks[n++] = ctx->dirs->upper_lock;
    locks[n++] = ctx->dirs->work_lock;
    locks[n++] = ctx->dirs->running.lock;
    for (int i = 0; i < ctx->cgroup.count; i++)
        locks[n++] = ctx->cgroup.locks[i];
    return cfs_watchdog_start(ctx->program_fd, locks, n, &ctx->watchdog_fd, err);
}

/* The parent's side of run_hooks_before_pivot: once the child is ready,
 * createRuntime then prestart, here in the runtime's namespaces, then the
 * child's pid to it.  A child that failed first sends nothing: its report
 * says why. */
static int
run_hooks_for_child(struct child_context *ctx, pid_t pid, cfs_error_t *err)
{
    char ready;
    int host_pid = pid;

    if (ctx->hook_sync[0] < 0 || read(ctx->hook_sync[0], &ready, 1) != 1)
        return 0;
    if (cfs_run_hooks(ctx->args, CFS_HOOK_CREATE_RUNTIME, "creating", pid, err) < 0
        || cfs_run_hooks(ctx->args, CFS_HOOK_PRESTART, "creating", pid, err) < 0)
        return -1;
    if (write(ctx->hook_sync[0], &host_pid, sizeof host_pid) != (ssize_t)sizeof host_pid)
        return 0; /* the child is gone: its report says why */
    return 0;
}

/* Clone the child, learn whether its set-up and exec worked, wait for it.
 * Returns 0 with *wait_status set once the child has been reaped, or -1
 * with *err filled (a failure of the child's set-up or exec included). */
static int
clone_and_wait(struct child_context *ctx, cfs_error_t *err, int *wait_status)
{
    const int trace = ctx->args->trace;
    /* A child that ends in execve shares our memory until then, as posix_spawn's
     * does: clone copies none of the caller's page tables and the exec tears none
     * down, ~2 ms of a run when the caller is a JVM (docs/BENCHMARKS.md).  We are
     * suspended until the exec or the child's exit.  The child writes only its own
     * stack: child_main works on a copy of the context, and exec.c's exec_in_path
     * leaves environ alone.  --init's child forks the command before it execs the
     * init program: memory of its own, which that fork copies.  So does --step's,
     * which waits at each pause while we run (step.h), and the child on a private
     * network: we start its network stack while it sets up.  So does a
     * rootless child, whose ids we map while it waits (userns.c). */
    const int network = ctx->args->network;
    const int share = ctx->args->init || ctx->args->step || network == CFS_NETWORK_PRIVATE
                              || ctx->fifo_fd >= 0      /* create returns while it waits */
                              || ctx->hook_sync[0] >= 0 /* we run hooks while it waits */
                              || cfs_userns_clone_flag(&ctx->userns) != 0
                          ? 0
                          : CLONE_VM | CLONE_VFORK;
    const int flags
        = (NAMESPACES & ~cfs_namespaces_joined_flags(&ctx->joined)
           & ~(ctx->args->host_pid_namespace ? CLONE_NEWPID : 0))
          | share | cfs_userns_clone_flag(&ctx->userns)
          | (network != CFS_NETWORK_HOST && network != CFS_NETWORK_JOIN ? CLONE_NEWNET : 0)
          | SIGCHLD;
    /* -t's terminal comes back to us; one sent to a console socket is the engine's. */
    const int relayed = ctx->args->tty && ctx->args->console_socket == NULL;
    struct sigaction saved[CFS_HANDLED_SIGNALS];
    cfs_error_t report;
    int pipefd[2];
    void *stack;
    pid_t pid, watchdog = 0;
    int result = -1;

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
    /* --step's first pause comes before the watchdog: q there leaves no process. */
    if (cfs_step_before_clone(&ctx->stepper, ctx->args, ctx->dirs->upper, ctx->dirs->mountpoint,
                              flags, err)
            < 0
        || (ctx->fifo_fd < 0 && (watchdog = start_watchdog(ctx, err)) < 0))
        goto restore;
    /* The stack grows down on every architecture we build for. */
    pid = cfs_namespaces_clone(&ctx->joined, child_main, (char *)stack + CHILD_STACK_SIZE, flags,
                               ctx, err);
    cfs_trace_clone(trace, flags, pid, errno);
    if (ctx->watchdog_fd >= 0)
        close(ctx->watchdog_fd); /* the child's copy is its own; end of file if it fails */
    ctx->watchdog_fd = -1;
    if (pid < 0)
        goto restore;
    close(pipefd[1]);
    pipefd[1] = -1;
    if (ctx->hook_sync[1] >= 0)
        close(ctx->hook_sync[1]); /* the child's: end of file when it fails */
    ctx->hook_sync[1] = -1;
    if (cfs_userns_map(&ctx->userns, pid, err) < 0
        || cfs_fuse_start(&ctx->fuse, pid, ctx->options, err) < 0) {
        kill(pid, SIGKILL); /* it waits for its map or its root: it has made nothing yet */
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (cfs_set_oom_score_adj(ctx->args, pid, err) < 0) {
        kill(pid, SIGKILL);
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (cfs_network_start(ctx->args, &ctx->network, pid, err) < 0) {
        /* The child may have failed first, and taken the stack's namespace with it. */
        kill(pid, SIGKILL);
        if (cfs_read_report(pipefd[0], &report) > 0) {
            *err = report;
            cfs_name_in_container(err);
        }
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (cfs_step_follow(&ctx->stepper, ctx->args, ctx->dirs->upper, ctx->dirs->mountpoint, pid, err)
        < 0) {
        kill(pid, SIGKILL); /* q: the kernel kills the rest of its PID namespace */
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (relayed)
        cfs_tty_receive(&ctx->tty); /* when it fails, the child's report says why */
    if (run_hooks_for_child(ctx, pid, err) < 0) {
        kill(pid, SIGKILL);
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (cfs_read_report(pipefd[0], &report) > 0) {
        *err = report;
        cfs_name_in_container(err);
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (ctx->args->pid_file != NULL && cfs_write_pid_file(ctx->args->pid_file, pid, err) < 0) {
        kill(pid, SIGKILL);
        cfs_wait_for_child(trace, pid, wait_status);
        goto restore;
    }
    if (ctx->fifo_fd >= 0) { /* create: it waits for start, and outlives us */
        *wait_status = 0;
        result = 0;
        goto restore;
    }
    cfs_start_forwarding(pid);
    if (relayed)
        cfs_tty_relay(&ctx->tty);
    if (cfs_wait_for_child(trace, pid, wait_status) < 0) {
        cfs_fail(err, CFS_STEP_WAIT, "");
        goto restore;
    }
    cfs_step_exited(&ctx->stepper, ctx->args, ctx->dirs->upper, ctx->dirs->mountpoint, pid,
                    *wait_status);
    result = 0;
restore:
    cfs_watchdog_wait(watchdog);
    cfs_restore_signals(saved, CFS_HANDLED_SIGNALS);
unmap:
    munmap(stack, CHILD_STACK_SIZE);
close_pipe:
    close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return result;
}

/* create: the FIFO start opens, made here in the front end's state
 * directory, open O_PATH for the child to reopen for writing.  A child in
 * a user namespace of the bundle's is then its root, whose host id is not
 * ours: writable by others (0622, as runc makes it; set past the umask),
 * which lets them do nothing, since the child's open returns only once a
 * reader, start, opens it. */
static int
open_exec_fifo(struct child_context *ctx, cfs_error_t *err)
{
    if (ctx->args->exec_fifo == NULL)
        return 0;
    if (mkfifo(ctx->args->exec_fifo, 0600) < 0
        || (ctx->args->uid_map != NULL && chmod(ctx->args->exec_fifo, 0622) < 0))
        return cfs_fail(err, CFS_STEP_PREPARE, ctx->args->exec_fifo);
    ctx->fifo_fd = open(ctx->args->exec_fifo, O_PATH | O_CLOEXEC);
    return ctx->fifo_fd < 0 ? cfs_fail(err, CFS_STEP_PREPARE, ctx->args->exec_fifo) : 0;
}

/* The socket pair of run_hooks_for_child, when a hook runs before exec. */
static int
open_hook_sync(struct child_context *ctx, cfs_error_t *err)
{
    const args_t *args = ctx->args;

    if (!cfs_has_hooks(args, CFS_HOOK_CREATE_RUNTIME) && !cfs_has_hooks(args, CFS_HOOK_PRESTART)
        && !cfs_has_hooks(args, CFS_HOOK_CREATE_CONTAINER)
        && !cfs_has_hooks(args, CFS_HOOK_START_CONTAINER))
        return 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctx->hook_sync) < 0)
        return cfs_fail(err, CFS_STEP_PREPARE, "");
    return 0;
}

int
cfs_run_container(const args_t *args, cfs_error_t *err)
{
    struct cfs_directories dirs;
    struct child_context *ctx;
    int wait_status = 0;

    memset(err, 0, sizeof *err);
    cfs_cover_closed_stdio();
    if (args->argc < 1 || args->argv == NULL || args->argv[0] == NULL
        || (args->nlowers < 1 && args->rootfs == NULL)) {
        errno = EINVAL; /* execvp(NULL) would crash the child; overlayfs needs a lower layer */
        cfs_fail(err, args->nlowers < 1 && args->rootfs == NULL ? CFS_STEP_LAYERS : CFS_STEP_EXEC,
                 "");
        return cfs_exit_status(err);
    }
    ctx = calloc(1, sizeof *ctx); /* 4 KiB of options: not on the JVM thread's stack */
    if (ctx == NULL) {
        cfs_fail(err, CFS_STEP_PREPARE, "");
        return cfs_exit_status(err);
    }
    ctx->fuse.socket[0] = ctx->fuse.socket[1] = -1;
    /* What needs real root, run by an ordinary user, and --step without a
     * terminal, are refused before anything is made. */
    if (cfs_fuse_prepare(args, &ctx->fuse, err) < 0
        || cfs_userns_prepare(args, &ctx->userns, err) < 0
        || cfs_step_open(args, &ctx->stepper, err) < 0) {
        cfs_userns_close(&ctx->userns);
        cfs_fuse_close(&ctx->fuse);
        free(ctx);
        return cfs_exit_status(err);
    }
    ctx->args = args;
    ctx->dirs = &dirs;
    ctx->tty.master = ctx->tty.slave = ctx->tty.parent_end = ctx->tty.child_end = -1;
    ctx->program_fd = -1;
    ctx->watchdog_fd = -1;
    ctx->fifo_fd = -1;
    ctx->hook_sync[0] = ctx->hook_sync[1] = -1;
    ctx->network.go[0] = ctx->network.go[1] = ctx->network.exit_fd = ctx->network.writedir = -1;
    for (int i = 0; i < CFS_JOINABLE; i++)
        ctx->joined.fd[i] = -1;
    /* cfs_make_directories first: it fills dirs, which is cleaned up whatever happens. */
    if (cfs_make_directories(args, &dirs, err) == 0
        && cfs_userns_check_layers(&ctx->userns, dirs.lowers, dirs.nlowers, dirs.upper, err) == 0
        && cfs_namespaces_open(args, &ctx->joined, err) == 0
        && cfs_network_prepare(args, dirs.upper, &ctx->network, err) == 0
        && cfs_prepare_security(args, &ctx->security, err) == 0
        && cfs_namespaces_hostname(&ctx->joined, ctx->security.hostname,
                                   sizeof ctx->security.hostname, err)
               == 0
        && cfs_prepare_rlimits(args, &ctx->rlimits, err) == 0
        && (ctx->sysctl_paths = cfs_prepare_sysctls(args, &ctx->joined, err)) != NULL
        && (ctx->envp = cfs_build_environment(args, ctx->security.hostname, err)) != NULL
        && cfs_prepare_overlay(ctx->options, sizeof ctx->options, &dirs,
                               ctx->userns.active && !ctx->fuse.active, err)
               == 0
        && cfs_fuse_check_options(&ctx->fuse, ctx->options, err) == 0
        && cfs_devices_resolve(args, &ctx->devices, err) == 0
        /* Rootless: a cgroup for limits only, below the one delegated to the
         * user (limits without one were refused); its mounts are nodev and
         * mknod(2) of a device refused by the kernel (user_namespaces(7)), so
         * no device rules are needed.  None in an engine's user namespace
         * (rootless podman), whose cgroups are the real root's. */
        && (ctx->userns.joined || cfs_cgroup_create(args, &ctx->devices, &ctx->cgroup, err) == 0)
        && (!args->tty || cfs_tty_open_for(args, &ctx->tty, err) == 0)
        && (ctx->program_fd = cfs_init_program_open(err)) >= 0 && open_exec_fifo(ctx, err) == 0
        && open_hook_sync(ctx, err) == 0)
        clone_and_wait(ctx, err, &wait_status);
    if (ctx->fifo_fd >= 0)
        close(ctx->fifo_fd);
    for (int i = 0; i < 2; i++)
        if (ctx->hook_sync[i] >= 0)
            close(ctx->hook_sync[i]);
    cfs_network_stop(&ctx->network);
    cfs_namespaces_close(&ctx->joined);
    cfs_userns_close(&ctx->userns);
    cfs_fuse_close(&ctx->fuse);
    if (ctx->program_fd >= 0)
        close(ctx->program_fd);
    cfs_tty_close(&ctx->tty);
    cfs_step_close(&ctx->stepper);
    cfs_free_environment(ctx->envp);
    cfs_free_sysctls(ctx->sysctl_paths, args->nsysctls);
    if (err->step == CFS_STEP_NONE && args->exec_fifo == NULL)
        cfs_report_memory_limit(args, &ctx->cgroup, wait_status, err);
    if (args->stats)
        cfs_cgroup_print_stats(&ctx->cgroup, args);
    if (err->step == CFS_STEP_NONE && args->exec_fifo != NULL)
        cfs_cgroup_close(&ctx->cgroup); /* create: the container's now, till delete */
    else
        cfs_cgroup_remove(&ctx->cgroup);
    cfs_devices_free(&ctx->devices);
    if (err->step != CFS_STEP_NONE)
        cfs_remove_made_mount_points(&dirs);
    cfs_remove_directories(&dirs);
    free(ctx);
    if (err->step != CFS_STEP_NONE)
        return cfs_exit_status(err);
    return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}
