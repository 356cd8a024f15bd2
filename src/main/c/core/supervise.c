/* The parent's side while the container runs: the signals it takes over
 * and passes on to the command, the child's report read from the pipe, the
 * wait for the child, and what its end means (a failed step named as the
 * container sees it, an OOM kill). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "supervise.h"
#include "trace.h"

/* As docker stop: a command that ignores SIGTERM (PID 1 ignores every signal
 * it has no handler for, see pid_namespaces(7)) is killed after this. */
#define STOP_GRACE_SECONDS 10

/* One container at a time per process: these and the dispositions are
 * process-wide (Native.run holds a lock; the C front end runs one). */
static volatile pid_t forward_pid;           /* 0 until the command has been exec'd */
static volatile sig_atomic_t pending_signal; /* arrived while forward_pid was 0 */
static volatile sig_atomic_t stop_requested;

enum { SAVED_INT, SAVED_QUIT, SAVED_TERM, SAVED_HUP, SAVED_ALRM, SAVED_COUNT };
static const int handled_signals[SAVED_COUNT] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGALRM };
_Static_assert(SAVED_COUNT == CFS_HANDLED_SIGNALS, "supervise.h counts the signals handled");

/* SIGTERM and SIGHUP are passed on to the command once it runs; one that
 * arrives earlier is kept and passed on right after the exec (before it,
 * the child still has our handlers and would swallow it).  SIGTERM also arms
 * SIGALRM, which kills the command if it is still running
 * STOP_GRACE_SECONDS later; SIGHUP ("reload") does not.  Only
 * async-signal-safe calls. */
static void
forward_signal(int sig)
{
    int saved = errno;
    pid_t pid = forward_pid;

    if (pid <= 0) {
        if (sig != SIGALRM)
            pending_signal = sig;
    } else if (sig == SIGALRM) {
        kill(pid, SIGKILL);
    } else {
        kill(pid, sig);
        if (sig == SIGTERM && !stop_requested) {
            stop_requested = 1;
            alarm(STOP_GRACE_SECONDS);
        }
    }
    errno = saved;
}

/* The command has been exec'd: forward from now on, and what came before. */
void
cfs_start_forwarding(pid_t pid)
{
    int sig;

    forward_pid = pid;
    sig = pending_signal;
    if (sig != 0) {
        pending_signal = 0;
        forward_signal(sig);
    }
}

int
cfs_stop_signal_pending(void)
{
    return pending_signal;
}

void
cfs_restore_signals(const struct sigaction saved[CFS_HANDLED_SIGNALS], int count)
{
    struct sigaction ignore;

    forward_pid = 0;
    alarm(0);
    /* Ignoring discards a SIGALRM still pending, which the JVM's default
     * disposition would turn into its death (signal(7), "Signal mask and
     * pending signals"). */
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    if (count > SAVED_ALRM)
        sigaction(SIGALRM, &ignore, NULL);
    for (int i = 0; i < count; i++)
        sigaction(handled_signals[i], &saved[i], NULL);
}

/* As system(3) does: Ctrl-C and Ctrl-\ reach the whole foreground process
 * group, the container included; container-fs must outlive them, or the
 * JVM's shutdown would abandon the container.  Installed before clone() so
 * no signal finds the old handlers in between. */
int
cfs_take_over_signals(struct sigaction saved[CFS_HANDLED_SIGNALS])
{
    struct sigaction ignore, forward;

    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    memset(&forward, 0, sizeof forward);
    forward.sa_handler = forward_signal;
    forward.sa_flags = SA_RESTART;
    sigemptyset(&forward.sa_mask);
    forward_pid = 0;
    pending_signal = 0;
    stop_requested = 0;
    for (int i = 0; i < SAVED_COUNT; i++) {
        const struct sigaction *sa = (i == SAVED_INT || i == SAVED_QUIT) ? &ignore : &forward;
        if (sigaction(handled_signals[i], sa, &saved[i]) < 0) {
            cfs_restore_signals(saved, i);
            return -1;
        }
    }
    return 0;
}

/* Read the child's error record; 0 bytes (EOF) means execvp succeeded. */
ssize_t
cfs_read_report(int fd, cfs_error_t *report)
{
    size_t got = 0;

    while (got < sizeof *report) {
        ssize_t n = read(fd, (char *)report + got, sizeof *report - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Wait in two steps: waitid(WNOWAIT) leaves the child a zombie, so its pid
 * cannot be reused while the signal forwarder may still send to it; only
 * after forwarding is off is the child reaped (waitid(2), "WNOWAIT"). */
int
cfs_wait_for_child(int trace, pid_t pid, int *wait_status)
{
    siginfo_t info;
    pid_t r;

    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            return -1;
    forward_pid = 0;
    alarm(0);
    do
        r = waitpid(pid, wait_status, 0);
    while (r < 0 && errno == EINTR);
    cfs_trace_waitpid(trace, pid, r, *wait_status);
    return r < 0 ? -1 : 0;
}

/* The child names paths under the new root relative to it ("proc"); the
 * user reads them as the container's own ("/proc").  exec's path is the
 * command's name, left as it is. */
void
cfs_name_in_container(cfs_error_t *err)
{
    char path[sizeof err->path];
    int relative = err->path[0] != '\0' && err->path[0] != '/';

    if (!relative || err->step == CFS_STEP_EXEC || err->step == CFS_STEP_LIMITS)
        return; /* a command's name; an rlimit's (exec.c) */
    /* Cut to PATH_MAX if it must be: it is for the user to read. */
    if (snprintf(path, sizeof path, "/%s", strcmp(err->path, ".") == 0 ? "" : err->path) >= 0)
        cfs_set_error(err, err->step, path, err->err);
}

/* A command killed by SIGKILL in a cgroup whose OOM killer struck was ended
 * for want of memory: say so, with the limit as docker run writes it. */
void
cfs_report_memory_limit(const args_t *args, const struct cfs_cgroup *cgroup, int wait_status,
                        cfs_error_t *err)
{
    const long long memory = args->memory;
    char limit[32];

    if (!WIFSIGNALED(wait_status) || WTERMSIG(wait_status) != SIGKILL
        || cfs_cgroup_oom_kills(cgroup) <= 0)
        return;
    if (memory % (1LL << 30) == 0)
        snprintf(limit, sizeof limit, "%lldg", memory >> 30);
    else if (memory % (1LL << 20) == 0)
        snprintf(limit, sizeof limit, "%lldm", memory >> 20);
    else if (memory % (1LL << 10) == 0)
        snprintf(limit, sizeof limit, "%lldk", memory >> 10);
    else
        snprintf(limit, sizeof limit, "%lld", memory);
    cfs_set_error(err, CFS_STEP_OOM, limit, ENOMEM);
}
