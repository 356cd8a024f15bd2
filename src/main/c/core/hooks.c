/* config.json's hooks: start each one, give it the state, wait for it.
 *
 * The hook is started with a raw clone(SIGCHLD), not fork(3): the caller
 * may be the container's process, a copy of a multithreaded JVM, where
 * glibc's fork would take malloc's locks that another thread held at the
 * copy (its atfork handlers), and wait forever.  The new process only
 * makes system calls: default signals, the state socket as stdin, stderr
 * as stdout, every other descriptor close-on-exec (the hook keeps none of
 * ours: locks, the report pipe, the JVM's files), then execve(2).
 *
 * The state is the runtime spec's (runtime.md, "State"): ociVersion,
 * status, pid, and the members the front end wrote (id, bundle,
 * annotations), sent over a socket with MSG_NOSIGNAL, so that a hook
 * that exits unread cannot kill us with SIGPIPE. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "hooks.h"

#define TICK_NS (10 * 1000 * 1000) /* how often a running hook is looked at: 10 ms */

int
cfs_has_hooks(const args_t *args, int phase)
{
    for (int i = 0; i < args->nhooks; i++)
        if (args->hooks[i].phase == phase)
            return 1;
    return 0;
}

/* Decimal digits of n >= 0 into buf (at least 12 bytes); their count. */
static int
digits(long n, char *buf)
{
    char rev[24];
    int len = 0, out = 0;

    do
        rev[len++] = (char)('0' + n % 10);
    while ((n /= 10) > 0 && len < (int)sizeof rev);
    while (len > 0)
        buf[out++] = rev[--len];
    buf[out] = '\0';
    return out;
}

static long long
now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Sends all of text, waiting while the hook's buffer is full, until the
 * deadline (0: none).  A hook that stops reading or exits makes it give up
 * quietly: its exit status says what happened. */
static void
send_text(int fd, const char *text, long long deadline)
{
    size_t len = strlen(text);

    while (len > 0) {
        ssize_t n = send(fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            text += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return;
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (deadline > 0 && now_ms() >= deadline)
            return;
        poll(&p, 1, 10);
    }
}

static void
send_state(int fd, const args_t *args, const char *status, pid_t pid, long long deadline)
{
    char number[24];

    digits(pid, number);
    send_text(fd, "{\"ociVersion\": \"1.0.2\", \"status\": \"", deadline);
    send_text(fd, status, deadline);
    send_text(fd, "\", \"pid\": ", deadline);
    send_text(fd, number, deadline);
    if (args->hook_state != NULL && args->hook_state[0] != '\0') {
        send_text(fd, ", ", deadline);
        send_text(fd, args->hook_state, deadline);
    }
    send_text(fd, "}", deadline);
    shutdown(fd, SHUT_WR);
}

/* The hook's process: never returns. */
static void
exec_hook(const struct cfs_hook *hook, int state_fd)
{
    cfs_error_t ignored;

    if (cfs_reset_signals(&ignored) < 0 || dup2(state_fd, 0) < 0 || dup2(2, 1) < 0
        || cfs_mark_fds_cloexec(3, &ignored) < 0)
        _exit(127);
    execve(hook->path, hook->argv, hook->envp);
    _exit(127);
}

/* Reaps the hook, killing it at the deadline (0: none).  Its wait status,
 * or -1 when it outlived the deadline. */
static int
wait_for_hook(pid_t child, long long deadline)
{
    const struct timespec tick = { .tv_sec = 0, .tv_nsec = TICK_NS };
    int status;

    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            return status;
        if (done < 0 && errno != EINTR)
            return 0; /* reaped by someone else: nothing more is known */
        if (deadline > 0 && now_ms() >= deadline) {
            kill(child, SIGKILL);
            while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
            }
            return -1;
        }
        nanosleep(&tick, NULL);
    }
}

/* "exited with status 3", "was killed by signal 9", "timed out after 5 s". */
static int
hook_failed(cfs_error_t *err, const struct cfs_hook *hook, int status)
{
    char number[24];
    const char *words, *unit = "";
    long value;

    if (status < 0) {
        words = "did not finish within its timeout of ";
        value = hook->timeout;
        unit = " s, and was killed";
    } else if (WIFSIGNALED(status)) {
        words = "was killed by signal ";
        value = WTERMSIG(status);
    } else {
        words = "exited with status ";
        value = WEXITSTATUS(status);
    }
    cfs_set_error(err, CFS_STEP_HOOK, hook->path, 0);
    digits(value, number);
    size_t n = 0;
    for (const char *part[] = { words, number, unit, NULL }, **p = part; *p != NULL; p++)
        for (const char *c = *p; *c != '\0' && n + 1 < sizeof err->detail; c++)
            err->detail[n++] = *c;
    err->detail[n] = '\0';
    return -1;
}

static int
run_hook(const args_t *args, const struct cfs_hook *hook, const char *status, pid_t pid,
         cfs_error_t *err)
{
    long long deadline = hook->timeout > 0 ? now_ms() + hook->timeout * 1000LL : 0;
    int state[2], wait_status;
    pid_t child;

    /* A missing or non-executable hook is told by its errno, not by a 127. */
    if (access(hook->path, X_OK) < 0
        || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, state) < 0)
        return cfs_fail(err, CFS_STEP_HOOK, hook->path);
    child = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child < 0) {
        cfs_fail(err, CFS_STEP_HOOK, hook->path);
        close(state[0]);
        close(state[1]);
        return -1;
    }
    if (child == 0)
        exec_hook(hook, state[1]);
    close(state[1]);
    send_state(state[0], args, status, pid, deadline);
    close(state[0]);
    wait_status = wait_for_hook(child, deadline);
    if (wait_status < 0 || !WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0)
        return hook_failed(err, hook, wait_status);
    return 0;
}

int
cfs_run_hooks(const args_t *args, int phase, const char *status, pid_t pid, cfs_error_t *err)
{
    for (int i = 0; i < args->nhooks; i++)
        if (args->hooks[i].phase == phase && run_hook(args, &args->hooks[i], status, pid, err) < 0)
            return -1;
    return 0;
}
