/* The floor of the start-time benchmark (scripts/bench.sh): the least a container
 * on an overlay can do, and nothing else. No argument checks, no error record, no
 * signal forwarding, no /dev or /sys, no clean-up: the directories are made by the
 * caller, and the mount namespace dies with the child.
 *   floor LOWERDIRS UPPER WORK MOUNTPOINT COMMAND [ARG...]
 * LOWERDIRS is overlayfs's lowerdir= value, top layer first. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char **args;
static char stack[64 * 1024];

static void
die(const char *what)
{
    perror(what);
    _exit(125);
}

static int
child(void *unused)
{
    (void)unused;
    char options[4096];
    /* Private first, or the overlay would propagate to the host (mount_namespaces(7)). */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("make / private");
    snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", args[1], args[2],
             args[3]);
    if (mount("overlay", args[4], "overlay", 0, options) < 0)
        die("mount overlay");
    if (chdir(args[4]) < 0)
        die("chdir");
    if (mount("proc", "proc", "proc", 0, NULL) < 0)
        die("mount proc");
    /* pivot_root(".", "."): the old root ends up on top of the new one; detach it. */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        die("pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        die("umount old root");
    execv(args[5], args + 5);
    die("exec");
    return 0;
}

int
main(int argc, char **argv)
{
    int status;
    if (argc < 6) {
        fprintf(stderr, "usage: floor LOWERDIRS UPPER WORK MOUNTPOINT COMMAND [ARG...]\n");
        return 125;
    }
    args = argv;
    pid_t pid = clone(child, stack + sizeof stack, CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, NULL);
    if (pid < 0)
        die("clone");
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
