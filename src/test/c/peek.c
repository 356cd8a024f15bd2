/* `peek PATH NAME`: watches its PID namespace for another process and
 * tries to open PATH through that process's /proc/PID/root, and NAME
 * through its /proc/PID/cwd, as root of a container with CAP_SYS_PTRACE
 * may; prints "read PATH: CONTENTS" and exits 0 as soon as one opens, or
 * prints "nothing" and exits 1 once /stop exists.  Built with
 * `musl-gcc -static` by OciExecIsolationIT, whose PATH is a file of the
 * host's that the container has no way to: an `exec`'d process holding the
 * host's root or working directory would give it away.  Not part of
 * container-fs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int
try_open(int pid, const char *link, const char *path)
{
    char name[4096], buf[256];
    ssize_t n;
    int fd;

    snprintf(name, sizeof name, "/proc/%d/%s/%s", pid, link, path);
    if ((fd = open(name, O_RDONLY)) < 0)
        return 0;
    n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    printf("read %s: %s\n", name, buf);
    fflush(stdout);
    return 1;
}

int
main(int argc, char **argv)
{
    int me = getpid();

    if (argc != 3)
        return 2;
    while (access("/stop", F_OK) != 0) {
        DIR *d = opendir("/proc");
        struct dirent *e;

        while (d != NULL && (e = readdir(d)) != NULL) {
            int pid = atoi(e->d_name);

            if (pid > 1 && pid != me
                && (try_open(pid, "root", argv[1]) || try_open(pid, "cwd", argv[2])))
                return 0;
        }
        if (d != NULL)
            closedir(d);
    }
    printf("nothing\n");
    return 1;
}
