/* `peek PATH NAME [MARKER]`: watches its PID namespace for another process
 * and tries to open PATH through that process's /proc/PID/root and NAME
 * through its /proc/PID/cwd, as root of a container with CAP_SYS_PTRACE
 * may; with MARKER, also reads its /proc/PID/environ, which holds the
 * front end's environment while the process is a copy of the front end,
 * as any root of the container may when the process is dumpable and its
 * capabilities no more than the reader's (ptrace(2), "Ptrace access mode
 * checking").  Prints what it read and exits 0 as soon as one succeeds
 * (PATH opens, or the environment holds MARKER), or prints "nothing" and
 * exits 1 once /stop exists.  Built with `musl-gcc -static` by
 * OciExecIsolationIT, whose PATH is a file of the host's that the container
 * has no way to, and MARKER a variable of the front end's.  Not part of
 * container-fs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first bytes of /proc/PID/LINK/PATH, or -1 when it does not open. */
static ssize_t
read_start(int pid, const char *link, const char *path, char *buf, size_t size)
{
    char name[4096];
    ssize_t n;
    int fd;

    snprintf(name, sizeof name, "/proc/%d/%s%s", pid, link, path);
    if ((fd = open(name, O_RDONLY)) < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0 ? n : 0;
}

static int
reached(int pid, char **argv, int argc)
{
    char path[4096], buf[65536];
    ssize_t n;

    snprintf(path, sizeof path, "/%s", argv[1]);
    if (read_start(pid, "root", path, buf, sizeof buf) >= 0) {
        printf("read /proc/%d/root%s: %s", pid, path, buf);
        return 1;
    }
    snprintf(path, sizeof path, "/%s", argv[2]);
    if (read_start(pid, "cwd", path, buf, sizeof buf) >= 0) {
        printf("read /proc/%d/cwd%s: %s", pid, path, buf);
        return 1;
    }
    if (argc < 4 || (n = read_start(pid, "environ", "", buf, sizeof buf)) <= 0)
        return 0;
    for (char *v = buf; v < buf + n; v += strlen(v) + 1)
        if (strstr(v, argv[3]) != NULL) {
            printf("read /proc/%d/environ: %s\n", pid, v);
            return 1;
        }
    return 0;
}

int
main(int argc, char **argv)
{
    int me = getpid();

    if (argc != 3 && argc != 4)
        return 2;
    while (access("/stop", F_OK) != 0) {
        DIR *d = opendir("/proc");
        struct dirent *e;

        while (d != NULL && (e = readdir(d)) != NULL) {
            int pid = atoi(e->d_name);

            if (pid > 1 && pid != me && reached(pid, argv, argc)) {
                fflush(stdout);
                return 0;
            }
        }
        if (d != NULL)
            closedir(d);
    }
    printf("nothing\n");
    return 1;
}
