/* enosys: run a command as on the course VM's Linux 5.4, where the system
 * calls newer than it do not exist.  Installs a seccomp filter that answers
 * ENOSYS, as an old kernel does, for every call added after 5.4
 * (close_range 5.9, openat2 5.6, mount_setattr 5.12, ...) and for the new
 * mount API (open_tree, move_mount, fsopen, fsconfig, fsmount, fspick):
 * 5.4 has those, but its overlayfs takes no "lowerdir+" (6.8), so a core
 * that relies on them must fall back the same way.  Then execs the command;
 * the filter is inherited by every process it starts.
 *
 * --mknod-eperm: mknod(2) and mknodat(2) of a character device answer EPERM
 * too, as to an ordinary user (or root of a user namespace) before Linux
 * 5.8, which let anyone make the 0/0 device that is overlayfs's whiteout
 * (commit a3c751a50fe6, "vfs: allow unprivileged whiteout creation").
 * Every other character device is refused to them on every kernel.
 *
 *   sudo target/c-tests/enosys container-fs rootfs writedir -- true
 *   sudo target/c-tests/enosys --mknod-eperm setpriv --reuid=USER --regid=USER \
 *       --init-groups container-fs pull ...
 *
 * Started by an ordinary user, the filter needs no_new_privs, which keeps
 * setuid programs (newuidmap) from acting setuid: root starts it and drops
 * to the user under it, as RootlessImagePullIT does.
 *
 * Built by `make -C src/main/c test`; used by OldKernelIT and
 * RootlessImagePullIT. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "enosys knows x86_64 and aarch64 only"
#endif

/* The last system call of Linux 5.4 is clone3 (435); the numbers from 424
 * on are the same on every architecture (asm-generic/unistd.h). */
#define FIRST_AFTER_5_4 436
#define OPEN_TREE 428 /* open_tree, move_mount, fsopen, fsconfig, fsmount, fspick: 428-433 */
#define FSPICK 433

/* The low half of system call argument N: the mode, on little-endian x86_64
 * and aarch64. */
#define ARG_LOW(n) (offsetof(struct seccomp_data, args) + (n) * sizeof(__u64))

/* A second filter, for --mknod-eperm: seccomp(2) runs both, and neither
 * answers for a call the other lets through. */
static int
refuse_character_devices(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef SYS_mknod /* x86_64; aarch64 has mknodat only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mknodat, 0, 2),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(2)),
        BPF_STMT(BPF_JMP | BPF_JA, 2), /* to the mode's test */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mknod, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(1)),
#else
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mknodat, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LOW(2)),
#endif
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, S_IFMT),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, S_IFCHR, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };

    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int
main(int argc, char **argv)
{
    const int mknod_eperm = argc > 1 && strcmp(argv[1], "--mknod-eperm") == 0;
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, FIRST_AFTER_5_4, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, OPEN_TREE, 0, 1),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, FSPICK, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
    };
    struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };

    if (mknod_eperm) {
        argc--;
        argv++;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: enosys [--mknod-eperm] COMMAND [ARG...]\n");
        return 125;
    }
    /* Without CAP_SYS_ADMIN a filter needs no_new_privs (seccomp(2)). */
    if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        perror("enosys: prctl(PR_SET_NO_NEW_PRIVS)");
        return 125;
    }
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0
        || (mknod_eperm && refuse_character_devices() < 0)) {
        perror("enosys: prctl(PR_SET_SECCOMP)");
        return 125;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "enosys: exec %s: %s\n", argv[1], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
