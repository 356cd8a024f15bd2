/* A tiny static program for inside-container assertions, as crun's
 * tests/init.c: `probe CALL...` tries each call and prints one line per call,
 * "CALL OK" or "CALL EPERM" (the errno's name), so a test can tell the
 * seccomp filter's and the kernel's answers apart.  Built with
 * `musl-gcc -static` by the tests (IsolationIT); not part of container-fs.
 * Every call is harmless to the host when allowed: invalid arguments, or
 * an action inside the container's own namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
errno_name(int e)
{
    switch (e) {
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case EBADF:
        return "EBADF";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case ENOTTY:
        return "ENOTTY";
    case ENOSYS:
        return "ENOSYS";
    case EACCES:
        return "EACCES";
    case EROFS:
        return "EROFS";
    case ENODEV:
        return "ENODEV";
    case EEXIST:
        return "EEXIST";
    case EAGAIN:
        return "EAGAIN";
    default:
        return "EOTHER";
    }
}

/* A clone(2) with namespace flags whose child exits at once. */
static long
clone_new_namespace(void)
{
    long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);

    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid((pid_t)pid, NULL, 0);
    return pid < 0 ? -1 : 0;
}

static long
mount_tmpfs(void)
{
    mkdir("/probe-mnt", 0755);
    if (mount("none", "/probe-mnt", "tmpfs", 0, NULL) < 0)
        return -1;
    umount2("/probe-mnt", MNT_DETACH);
    return 0;
}

static long
make_block_device(void)
{
    if (mknod("/probe-block", S_IFBLK | 0600, makedev(7, 0)) < 0)
        return -1;
    unlink("/probe-block");
    return 0;
}

static long
make_fifo(void)
{
    if (mknod("/probe-fifo", S_IFIFO | 0600, 0) < 0)
        return -1;
    unlink("/probe-fifo");
    return 0;
}

/* Forks up to N children that wait to be killed, and says how many it got
 * and why it stopped ("forks 19 EAGAIN"); then kills and reaps them. */
static int
fork_many(int n)
{
    pid_t pids[1024];
    int made = 0, why = 0;

    for (; made < n && made < 1024; made++) {
        pid_t pid = fork();
        if (pid < 0) {
            why = errno;
            break;
        }
        if (pid == 0) {
            pause();
            _exit(0);
        }
        pids[made] = pid;
    }
    printf("forks %d %s\n", made, why == EAGAIN ? "EAGAIN" : why == 0 ? "OK" : errno_name(why));
    for (int i = 0; i < made; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
    return 0;
}

/* An AF_PACKET socket, which sees every packet of its network namespace
 * (packet(7)): needs CAP_NET_RAW.  0x0003 is ETH_P_ALL (linux/if_ether.h,
 * which musl's headers lack). */
static int
packet_socket(void)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x0003));

    if (fd >= 0)
        close(fd);
    return fd < 0 ? -1 : 0;
}

/* Calls newer than some C libraries' headers, numbered as Linux numbers them
 * on every architecture since 5.1 (asm-generic/unistd.h, the 4xx block). */
#define NR_IO_URING_SETUP 425
#define NR_IO_URING_ENTER 426
#define NR_IO_URING_REGISTER 427
#define NR_STATMOUNT 457
#define NR_LISTMOUNT 458
#define NR_MSEAL 462
#define VSOCK_FAMILY 40 /* AF_VSOCK, vsock(7) */

/* An AF_VSOCK socket, which reaches the hypervisor from a virtual machine. */
static int
vsock_socket(void)
{
    int fd = socket(VSOCK_FAMILY, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd >= 0)
        close(fd);
    return fd < 0 ? -1 : 0;
}

static long
modify_ldt_read(void)
{
#ifdef SYS_modify_ldt
    char table[16];
    return syscall(SYS_modify_ldt, 0 /* read */, table, sizeof table);
#else
    errno = ENOSYS; /* x86 only: no such call on this architecture */
    return -1;
#endif
}

static long
call(const char *name)
{
    char byte = 'x';
    int subcode = 0;

    if (strcmp(name, "keyctl") == 0)
        return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
    if (strcmp(name, "add_key") == 0)
        return syscall(SYS_add_key, "user", "probe", "x", 1, -2 /* process keyring */);
    if (strcmp(name, "request_key") == 0)
        return syscall(SYS_request_key, "user", "probe", NULL, 0);
    if (strcmp(name, "userfaultfd") == 0)
        return syscall(SYS_userfaultfd, 0);
    if (strcmp(name, "bpf") == 0)
        return syscall(SYS_bpf, -1, NULL, 0);
    if (strcmp(name, "perf_event_open") == 0)
        return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
    if (strcmp(name, "kexec_load") == 0)
        return syscall(SYS_kexec_load, 0, 0, NULL, 0);
    if (strcmp(name, "open_by_handle_at") == 0)
        return syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, O_RDONLY);
    if (strcmp(name, "init_module") == 0)
        return syscall(SYS_init_module, NULL, 0, "");
    if (strcmp(name, "settimeofday") == 0)
        return syscall(SYS_settimeofday, NULL, NULL); /* sets nothing even when allowed */
    if (strcmp(name, "personality") == 0)
        return personality(ADDR_NO_RANDOMIZE);
    if (strcmp(name, "unshare") == 0)
        return unshare(CLONE_NEWUTS);
    if (strcmp(name, "setns") == 0)
        return setns(-1, 0);
    if (strcmp(name, "clone_newns") == 0)
        return clone_new_namespace();
    if (strcmp(name, "clone3") == 0)
        return syscall(SYS_clone3, NULL, 0);
    if (strcmp(name, "tiocsti") == 0)
        return ioctl(0, TIOCSTI, &byte);
    if (strcmp(name, "tioclinux") == 0)
        return ioctl(0, TIOCLINUX, &subcode);
    if (strcmp(name, "mount") == 0)
        return mount_tmpfs();
    if (strcmp(name, "mknod_block") == 0)
        return make_block_device();
    if (strcmp(name, "mknod_fifo") == 0)
        return make_fifo();
    if (strcmp(name, "sethostname") == 0)
        return sethostname("probe", 5);
    if (strcmp(name, "packet_socket") == 0)
        return packet_socket();
    if (strcmp(name, "io_uring_setup") == 0)
        return syscall(NR_IO_URING_SETUP, 1, NULL); /* EFAULT when the kernel reads it */
    if (strcmp(name, "io_uring_enter") == 0)
        return syscall(NR_IO_URING_ENTER, -1, 0, 0, 0, NULL, 0);
    if (strcmp(name, "io_uring_register") == 0)
        return syscall(NR_IO_URING_REGISTER, -1, 0, NULL, 0);
    if (strcmp(name, "vsock_socket") == 0)
        return vsock_socket();
    if (strcmp(name, "modify_ldt") == 0)
        return modify_ldt_read();
    /* The NUMA policy calls, with arguments that change nothing. */
    if (strcmp(name, "mbind") == 0)
        return syscall(SYS_mbind, NULL, 0, 0 /* MPOL_DEFAULT */, NULL, 0, 0);
    if (strcmp(name, "set_mempolicy") == 0)
        return syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
    if (strcmp(name, "get_mempolicy") == 0)
        return syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0);
    if (strcmp(name, "move_pages") == 0)
        return syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0);
    /* Newer than the profile: ENOSYS from the filter whatever the kernel. */
    if (strcmp(name, "statmount") == 0)
        return syscall(NR_STATMOUNT, NULL, NULL, 0, 0);
    if (strcmp(name, "listmount") == 0)
        return syscall(NR_LISTMOUNT, NULL, NULL, 0, 0);
    if (strcmp(name, "mseal") == 0)
        return syscall(NR_MSEAL, NULL, 0, 0);
    errno = EINVAL;
    fprintf(stderr, "probe: unknown call %s\n", name);
    return -2;
}

int
main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long r;
        if (strncmp(argv[i], "forks=", 6) == 0) {
            fork_many(atoi(argv[i] + 6));
            continue;
        }
        errno = 0;
        r = call(argv[i]);
        if (r == -2)
            return 2;
        printf("%s %s\n", argv[i], r < 0 ? errno_name(errno) : "OK");
    }
    return 0;
}
