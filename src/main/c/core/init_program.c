/* --init's PID 1 as a program of its own, exec'd from memory.
 *
 * The bytes are the static build of src/main/c/init/main.c, which the
 * Makefile turns into target/c-init/ARCH/container_fs_init.h before the core is
 * compiled.  They go into a memfd (memfd_create(2), Linux 3.17), sealed
 * against every change (F_SEAL_WRITE and the rest, fcntl(2)), and PID 1
 * execs that with execveat(2) (Linux 3.19; no glibc wrapper before 2.34):
 * /proc/1/exe then names an anonymous file, not one of the host's that
 * root inside could open, as runc does since CVE-2019-5736. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container_fs_init.h"
#include "init_program.h"

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif

int
cfs_init_program_open(cfs_error_t *err)
{
    const unsigned char *bytes = container_fs_init;
    size_t left = sizeof container_fs_init;
    int fd = memfd_create("container-fs-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0)
        return cfs_fail(err, CFS_STEP_INIT, "memfd");
    while (left > 0) {
        ssize_t n = write(fd, bytes, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cfs_fail(err, CFS_STEP_INIT, "memfd");
            close(fd);
            return -1;
        }
        bytes += n;
        left -= (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        cfs_fail(err, CFS_STEP_INIT, "memfd");
        close(fd);
        return -1;
    }
    return fd;
}

void
cfs_exec_init_program(int fd, pid_t command, char *const envp[])
{
    char digits[12], pid[12];
    char *argv[] = { (char *)"container-fs-init", pid, NULL };
    int n = 0, i = 0;

    do
        digits[n++] = (char)('0' + command % 10);
    while ((command /= 10) > 0);
    while (n > 0)
        pid[i++] = digits[--n];
    pid[i] = '\0';
    syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}
