/* --init: a tiny init as PID 1 of the container, as docker run --init's
 * tini.  PID 1 gets only the signals it has a handler for, and nobody reaps
 * the orphans a command leaves (pid_namespaces(7)); so with --init the
 * container's first process stays ours: it forks the command, passes on
 * every signal it can catch, reaps every child, and exits with the
 * command's status.  The init program (main.c) runs it once the core has
 * forked the command and exec'd the program as PID 1. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

/* The shell's convention: the exit status, or 128 + the signal. */
static int
shell_status(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Every signal is blocked (the caller did so before forking), so none is
 * lost and none needs a handler: sigwaitinfo takes them one by one.  A
 * blocked signal is never ignored, not even by PID 1 (kernel/signal.c,
 * sig_ignored()). */
int
cfs_init(pid_t command)
{
    sigset_t all;

    sigfillset(&all);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);

        if (sig < 0)
            continue; /* EINTR */
        if (sig != SIGCHLD) {
            kill(command, sig);
            continue;
        }
        /* Reap the command and every orphan that was reparented to us. */
        for (;;) {
            int status;
            pid_t pid = waitpid(-1, &status, WNOHANG);
            if (pid <= 0)
                break;
            if (pid == command)
                return shell_status(status);
        }
    }
}
