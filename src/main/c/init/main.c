/* container-fs-init: the container's PID 1 under --init, as docker run
 * --init's tini, a program of its own.  The core forks the command, then
 * execs this (from a sealed memfd, so no file of the host is behind
 * /proc/1/exe) with the command's pid:
 *
 *   container-fs-init PID
 *
 * Before, PID 1 was a forked copy of the front end, and kept what the front
 * end had: the JVM's open files, its environment, its command line.  An exec
 * leaves only descriptors 0-2 (the rest are close-on-exec), the container's
 * environment and this argv.  Every signal arrives blocked (the core blocked
 * them before the fork, and execve(2) keeps the mask), as cfs_init wants.
 * Built static (musl-gcc, else gcc -static): the container's root has no
 * loader of ours. */
#include <stdlib.h>

#include "init.h"

int
main(int argc, char **argv)
{
    char *end;
    long pid;

    if (argc != 2)
        return 125;
    pid = strtol(argv[1], &end, 10);
    if (*argv[1] == '\0' || *end != '\0' || pid <= 1)
        return 125;
    return cfs_init((pid_t)pid);
}
