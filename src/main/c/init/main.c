/* container-fs-init: the container's PID 1 under --init, as docker run
 * --init's tini, a program of its own.  The core forks the command, then
 * execs this (from a sealed memfd, so no file of the host is behind
 * /proc/1/exe) with the command's pid:
 *
 *   container-fs-init PID
 *
 * The same program is the watchdog that kills the container when
 * container-fs dies (watch.c):
 *
 *   container-fs-init --watch PARENT READYFD
 *
 * Before, PID 1 was a forked copy of the front end, and kept what the front
 * end had: the JVM's open files, its environment, its command line.  An exec
 * leaves only descriptors 0-2 (the rest are close-on-exec), the container's
 * environment and this argv.  Every signal arrives blocked (the core blocked
 * them before the fork, and execve(2) keeps the mask), as cfs_init wants.
 * Built static (musl-gcc, else gcc -static): the container's root has no
 * loader of ours. */
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "watch.h"

/* A pid as a decimal number, or 0. */
static pid_t
parse_pid(const char *word)
{
    char *end;
    long pid = strtol(word, &end, 10);

    return *word != '\0' && *end == '\0' && pid > 0 ? (pid_t)pid : 0;
}

int
main(int argc, char **argv)
{
    pid_t pid;

    if (argc == 4 && strcmp(argv[1], "--watch") == 0 && (pid = parse_pid(argv[2])) != 0
        && parse_pid(argv[3]) > 0)
        return cfs_watch(pid, (int)parse_pid(argv[3]));
    if (argc != 2 || (pid = parse_pid(argv[1])) == 0)
        return 125;
    return cfs_init(pid);
}
