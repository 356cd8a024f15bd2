/* The container's privileges, decided by the parent before clone(): which
 * capabilities it keeps (Docker's default set unless told otherwise), the
 * seccomp filter it gets, and its hostname.  The child applies them with
 * system calls only, in the steps at the end of this file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security.h"
#include "trace.h"

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows the system calls of x86_64 and aarch64 only"
#endif

#define CAP(name) (1ULL << CAP_##name)

/* Docker's default capabilities (moby's oci/caps/defaults.go), the set most
 * images are written for.  Everything else, CAP_SYS_ADMIN first, is dropped. */
static unsigned long long
default_capabilities(void)
{
    return CAP(CHOWN) | CAP(DAC_OVERRIDE) | CAP(FOWNER) | CAP(FSETID) | CAP(KILL) | CAP(SETGID)
           | CAP(SETUID) | CAP(SETPCAP) | CAP(SETFCAP) | CAP(NET_BIND_SERVICE) | CAP(NET_RAW)
           | CAP(SYS_CHROOT) | CAP(MKNOD) | CAP(AUDIT_WRITE);
}

/* The kernel's highest capability; the bounding set is dropped up to it. */
static int
last_capability(cfs_error_t *err)
{
    char buf[16] = "";
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd >= 0)
        close(fd);
    if (n <= 0) {
        cfs_set_error(err, CFS_STEP_PREPARE, "/proc/sys/kernel/cap_last_cap", n < 0 ? errno : EIO);
        return -1;
    }
    return atoi(buf);
}

/* What container-fs itself holds (capget(2)): a container cannot be given
 * more, even --privileged (a CI runner or a container may lack some). */
static int
permitted_capabilities(unsigned long long *permitted, cfs_error_t *err)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];

    if (syscall(SYS_capget, &header, data) < 0) {
        cfs_set_error(err, CFS_STEP_PREPARE, "capget", errno);
        return -1;
    }
    *permitted = (unsigned long long)data[1].permitted << 32 | data[0].permitted;
    return 0;
}

/* ---- the seccomp filter: a classic BPF program, seccomp(2) and
 * Documentation/userspace-api/seccomp_filter.rst ---- */

/* A call the filter refuses unless the container keeps capability `unless`
 * (-1: always), as Docker's default profile ties most of its rules to the
 * capability that would make the call work anyway. */
struct refusal {
    int nr;
    int unless;
};

static const struct refusal refusals[] = {
    /* The kernel keyring is not namespaced: keys of the host and of other
     * containers would be in reach. */
    { SYS_keyctl, -1 },
    { SYS_add_key, -1 },
    { SYS_request_key, -1 },
    /* Lets a process stall the kernel in a page fault: a tool of exploits. */
    { SYS_userfaultfd, -1 },
    /* The kernel's and other processes' internals. */
    { SYS_bpf, CAP_SYS_ADMIN },
    { SYS_perf_event_open, CAP_SYS_ADMIN },
    { SYS_lookup_dcookie, CAP_SYS_ADMIN },
    { SYS_quotactl, CAP_SYS_ADMIN },
    { SYS_fanotify_init, CAP_SYS_ADMIN },
    /* New namespaces and mounts: the container's own are made for it. */
    { SYS_unshare, CAP_SYS_ADMIN },
    { SYS_setns, CAP_SYS_ADMIN },
    { SYS_mount, CAP_SYS_ADMIN },
    { SYS_umount2, CAP_SYS_ADMIN },
    { SYS_pivot_root, CAP_SYS_ADMIN },
    { SYS_swapon, CAP_SYS_ADMIN },
    { SYS_swapoff, CAP_SYS_ADMIN },
    /* A file by handle, found from anywhere on its filesystem. */
    { SYS_open_by_handle_at, CAP_DAC_READ_SEARCH },
    /* Kernel modules, a new kernel, the machine itself, its clock. */
    { SYS_init_module, CAP_SYS_MODULE },
    { SYS_finit_module, CAP_SYS_MODULE },
    { SYS_delete_module, CAP_SYS_MODULE },
    { SYS_kexec_load, CAP_SYS_BOOT },
    { SYS_kexec_file_load, CAP_SYS_BOOT },
    { SYS_reboot, CAP_SYS_BOOT },
    { SYS_settimeofday, CAP_SYS_TIME },
    { SYS_clock_settime, CAP_SYS_TIME },
    { SYS_clock_adjtime, CAP_SYS_TIME },
    { SYS_acct, CAP_SYS_PACCT },
    /* Other processes' memory. */
    { SYS_process_vm_readv, CAP_SYS_PTRACE },
    { SYS_process_vm_writev, CAP_SYS_PTRACE },
    { SYS_kcmp, CAP_SYS_PTRACE },
#ifdef __x86_64__
    /* I/O ports, and calls the kernel keeps for old binaries only. */
    { SYS_iopl, CAP_SYS_RAWIO },
    { SYS_ioperm, CAP_SYS_RAWIO },
    { SYS_create_module, -1 },
    { SYS_get_kernel_syms, -1 },
    { SYS_query_module, -1 },
    { SYS_nfsservctl, -1 },
    { SYS_uselib, -1 },
    { SYS_ustat, -1 },
    { SYS_sysfs, -1 },
    { SYS__sysctl, -1 },
#endif
};

/* clone(2) flags that make a namespace. */
#define NAMESPACE_FLAGS                                                                            \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID    \
     | CLONE_NEWNET)

#define RETURN_ERRNO(e) (SECCOMP_RET_ERRNO | ((e)&SECCOMP_RET_DATA))

/* On little-endian machines the low half of an argument comes first. */
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))

struct program {
    struct sock_filter *code;
    size_t length;
    size_t room;
    int too_far; /* a jump longer than a sock_filter can say (255) */
};

static void
put(struct program *p, struct sock_filter insn)
{
    if (p->length < p->room)
        p->code[p->length] = insn;
    p->length++; /* counted past the room, so the overflow is seen */
}

static void
stmt(struct program *p, unsigned short code, unsigned int k)
{
    put(p, (struct sock_filter)BPF_STMT(code, k));
}

static void
jump(struct program *p, unsigned short code, unsigned int k, unsigned char jt, unsigned char jf)
{
    put(p, (struct sock_filter)BPF_JUMP(code, k, jt, jf));
}

/* Makes the jump put at `at` land on the next instruction to be put, when
 * its test is true (jt) or false (jf): jumps only go forward. */
static void
land(struct program *p, size_t at, int when_true)
{
    size_t distance = p->length - at - 1;

    if (distance > 255)
        p->too_far = 1;
    if (at >= p->room)
        return;
    if (when_true)
        p->code[at].jt = (unsigned char)distance;
    else
        p->code[at].jf = (unsigned char)distance;
}

static int
kept(unsigned long long capabilities, int cap)
{
    return cap >= 0 && (capabilities & (1ULL << cap)) != 0;
}

/* One system call the filter names, and how it answers it: an answer is
 * put right after the test of the call's number, and returns on every path. */
struct rule {
    int nr;
    void (*answer)(struct program *p, const struct rule *rule);
    unsigned int result; /* answer_with */
    int arg;             /* the argument answer_by_flags and answer_by_mode read */
    unsigned int mask;   /* answer_by_flags */
};

/* return result; */
static void
answer_with(struct program *p, const struct rule *rule)
{
    stmt(p, BPF_RET | BPF_K, rule->result);
}

/* return (arg & mask) ? EPERM : ALLOW; */
static void
answer_by_flags(struct program *p, const struct rule *rule)
{
    stmt(p, BPF_LD | BPF_W | BPF_ABS, ARG_LOW(rule->arg));
    jump(p, BPF_JMP | BPF_JSET | BPF_K, rule->mask, 0, 1);
    stmt(p, BPF_RET | BPF_K, RETURN_ERRNO(EPERM));
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

/* ioctl(2): EPERM for TIOCSTI and TIOCLINUX.  TIOCSTI pushes bytes into a
 * terminal's input as if typed, TIOCLINUX can paste into a console: either
 * lets a container type commands into the shell it was started from, even
 * after it has ended.  The kernel takes the request as an unsigned int, so
 * the low half is the whole of it. */
static void
answer_terminal_input(struct program *p, const struct rule *rule)
{
    (void)rule;
    stmt(p, BPF_LD | BPF_W | BPF_ABS, ARG_LOW(1));
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 1, 0);
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    stmt(p, BPF_RET | BPF_K, RETURN_ERRNO(EPERM));
}

/* personality(2): only the values Docker's profile allows (Linux, 32-bit
 * uname, their query); the others turn off address randomisation or change
 * how the kernel reads the program. */
static void
answer_personality(struct program *p, const struct rule *rule)
{
    static const unsigned int allowed[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
    const unsigned char n = sizeof allowed / sizeof allowed[0];

    (void)rule;
    stmt(p, BPF_LD | BPF_W | BPF_ABS, ARG_LOW(0));
    for (unsigned char i = 0; i < n; i++)
        jump(p, BPF_JMP | BPF_JEQ | BPF_K, allowed[i], n - i, 0);
    stmt(p, BPF_RET | BPF_K, RETURN_ERRNO(EPERM));
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

/* mknod of a character or block device: Docker keeps CAP_MKNOD and lets its
 * device cgroup refuse to open the node; container-fs has no device cgroup,
 * so a node of the host's disk would be a way to it.  FIFOs stay allowed. */
static void
answer_by_mode(struct program *p, const struct rule *rule)
{
    stmt(p, BPF_LD | BPF_W | BPF_ABS, ARG_LOW(rule->arg));
    stmt(p, BPF_ALU | BPF_AND | BPF_K, S_IFMT);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, S_IFCHR, 1, 0);
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, S_IFBLK, 0, 1);
    stmt(p, BPF_RET | BPF_K, RETURN_ERRNO(EPERM));
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
}

/* The filter's calls are numbered for this architecture only: a call made
 * through another ABI (i386's int 0x80, x32) would slip past every rule, so
 * it kills the process ("Bad system call") instead. */
static void
check_architecture(struct program *p)
{
    stmt(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    jump(p, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_NATIVE, 1, 0);
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    stmt(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef X32_SYSCALL_BIT
    jump(p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
    stmt(p, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
}

/* Rules sorted by number, as a binary search: a call the filter does not
 * name is allowed after about eight comparisons, not after one with every
 * rule.  That is what makes the filter cheap to install: the kernel runs it
 * for every system call number then, to learn which are always allowed
 * (seccomp_cache_prepare() in kernel/seccomp.c): through a chain of fifty
 * rules, installing took 80 µs of each run; through the tree, 47. */
static void
put_rules(struct program *p, const struct rule *rules, size_t n)
{
    size_t half = n / 2, at = p->length;

    if (n <= 4) {
        for (size_t i = 0; i < n; i++) {
            at = p->length;
            jump(p, BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)rules[i].nr, 0, 0);
            rules[i].answer(p, &rules[i]);
            land(p, at, 0);
        }
        stmt(p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        return;
    }
    jump(p, BPF_JMP | BPF_JGE | BPF_K, (unsigned int)rules[half].nr, 0, 0);
    put_rules(p, rules, half);
    land(p, at, 1);
    put_rules(p, rules + half, n - half);
}

static int
by_number(const void *a, const void *b)
{
    const struct rule *x = a, *y = b;

    return (x->nr > y->nr) - (x->nr < y->nr);
}

/* The calls refused whatever the capabilities, plus those refused with the
 * capability they need, then ioctl, personality and mknod by argument. */
static size_t
choose_rules(unsigned long long caps, struct rule *rules)
{
    size_t n = 0;

    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (!kept(caps, refusals[i].unless))
            rules[n++] = (struct rule){ refusals[i].nr, answer_with, RETURN_ERRNO(EPERM), 0, 0 };
    if (!kept(caps, CAP_SYS_ADMIN)) {
        /* clone3 passes its flags in memory, out of the filter's reach:
         * ENOSYS makes glibc fall back to clone, whose flags it can see. */
        rules[n++] = (struct rule){ SYS_clone3, answer_with, RETURN_ERRNO(ENOSYS), 0, 0 };
        rules[n++] = (struct rule){ SYS_clone, answer_by_flags, 0, 0, NAMESPACE_FLAGS };
    }
    rules[n++] = (struct rule){ SYS_ioctl, answer_terminal_input, 0, 0, 0 };
    rules[n++] = (struct rule){ SYS_personality, answer_personality, 0, 0, 0 };
#ifdef SYS_mknod
    rules[n++] = (struct rule){ SYS_mknod, answer_by_mode, 0, 1, 0 };
#endif
    rules[n++] = (struct rule){ SYS_mknodat, answer_by_mode, 0, 2, 0 };
    return n;
}

static int
build_filter(struct cfs_security *security, cfs_error_t *err)
{
    struct program p = { .code = security->filter, .room = CFS_FILTER_MAX };
    struct rule rules[sizeof refusals / sizeof refusals[0] + 6];
    size_t n = choose_rules(security->capabilities, rules);

    qsort(rules, n, sizeof rules[0], by_number);
    check_architecture(&p);
    put_rules(&p, rules, n);
    if (p.length > p.room || p.too_far) {
        cfs_set_error(err, CFS_STEP_PREPARE, "seccomp filter", E2BIG);
        return -1;
    }
    security->filter_length = (unsigned short)p.length;
    return 0;
}

/* ---- the hostname ---- */

/* As docker run: 12 hex digits, here random (getrandom(2), Linux 3.17). */
static int
choose_hostname(const args_t *args, struct cfs_security *security, cfs_error_t *err)
{
    unsigned char id[6];

    if (args->hostname != NULL) {
        if (strlen(args->hostname) >= sizeof security->hostname) {
            cfs_set_error(err, CFS_STEP_HOSTNAME, args->hostname, ENAMETOOLONG);
            return -1;
        }
        strcpy(security->hostname, args->hostname);
        return 0;
    }
    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id) {
        cfs_set_error(err, CFS_STEP_HOSTNAME, "", errno);
        return -1;
    }
    for (size_t i = 0; i < sizeof id; i++)
        snprintf(security->hostname + 2 * i, 3, "%02x", id[i]);
    return 0;
}

int
cfs_prepare_security(const args_t *args, struct cfs_security *security, cfs_error_t *err)
{
    unsigned long long all, base;

    memset(security, 0, sizeof *security);
    if ((security->last_capability = last_capability(err)) < 0
        || permitted_capabilities(&all, err) < 0)
        return -1;
    base = args->privileged ? all : default_capabilities();
    /* On the host's network, CAP_NET_RAW opens AF_PACKET sockets that read
     * every packet of the host, its loopback's passwords included: dropped
     * unless asked for, as podman does.  In a network of its own
     * (private, the default, or none) it reaches only that, and stays, as in
     * Docker. */
    if (!args->privileged && args->network == CFS_NETWORK_HOST)
        base &= ~CAP(NET_RAW);
    security->capabilities = ((base & ~args->cap_drop) | args->cap_add) & all;
    if (choose_hostname(args, security, err) < 0)
        return -1;
    if (args->privileged || args->seccomp_unconfined)
        return 0;
    return build_filter(security, err);
}

/* ---- the child's steps: system calls only; 0, or -1 with *err filled ---- */

/* The new UTS namespace starts as a copy of the host's names
 * (uts_namespaces(7)); the container gets its own hostname. */
int
cfs_set_hostname(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    if (cfs_traced_sethostname(args->trace, security->hostname) < 0)
        return cfs_fail(err, CFS_STEP_HOSTNAME, security->hostname);
    return 0;
}

/* Setuid programs and file capabilities then give nothing more
 * (prctl(2), PR_SET_NO_NEW_PRIVS). */
int
cfs_set_no_new_privileges(const args_t *args, cfs_error_t *err)
{
    if (args->no_new_privileges
        && cfs_traced_prctl(args->trace, PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS", 1, NULL) < 0)
        return cfs_fail(err, CFS_STEP_NO_NEW_PRIVS, "");
    return 0;
}

/* Installed while we still hold CAP_SYS_ADMIN, which a filter needs
 * without no_new_privs (seccomp(2)); the calls left before exec (prctl,
 * capset, fcntl, execve) are not filtered.  The filter survives execve and
 * is inherited by every child of the command. */
int
cfs_install_seccomp(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    const struct sock_fprog prog
        = { .len = security->filter_length, .filter = (struct sock_filter *)security->filter };

    if (prog.len > 0 && cfs_traced_seccomp_filter(args->trace, &prog) < 0)
        return cfs_fail(err, CFS_STEP_SECCOMP, "");
    return 0;
}

/* Last, since the steps before need CAP_SYS_ADMIN.  The bounding set is what
 * execve(2) can ever give back, so capabilities not kept are dropped from it
 * one by one, and the ambient set is emptied. */
int
cfs_drop_bounding_set(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    const unsigned long long keep = security->capabilities;
    const int trace = args->trace;

    for (int cap = 0; cap <= security->last_capability && cap < 64; cap++)
        if (!(keep & (1ULL << cap))
            && cfs_traced_prctl(trace, PR_CAPBSET_DROP, "PR_CAPBSET_DROP", (unsigned long)cap, NULL)
                   < 0)
            return cfs_fail(err, CFS_STEP_CAPABILITIES, "");
    /* Linux 4.3 and later; earlier kernels have no ambient set to empty. */
    if (cfs_traced_prctl(trace, PR_CAP_AMBIENT, "PR_CAP_AMBIENT", PR_CAP_AMBIENT_CLEAR_ALL,
                         "PR_CAP_AMBIENT_CLEAR_ALL")
            < 0
        && errno != EINVAL)
        return cfs_fail(err, CFS_STEP_CAPABILITIES, "");
    return 0;
}

/* -u: the groups first, then the gid, then the uid, while we may
 * (setgroups(2) and setgid(2) need CAP_SETGID, setuid(2) CAP_SETUID).
 * PR_SET_KEEPCAPS keeps the permitted set across setuid, so that
 * cfs_set_capabilities can still lower it; execve then gives a user other than
 * root none (capabilities(7)), as docker run's --user does. */
int
cfs_switch_user(const args_t *args, cfs_error_t *err)
{
    if (!args->user)
        return 0;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0
        || syscall(SYS_setgroups, (size_t)args->ngroups, args->groups) < 0
        || syscall(SYS_setgid, args->gid) < 0
        || syscall(SYS_setuid, args->uid) < 0
        /* The new credentials cleared the parent-death signal (prctl(2)):
         * set it again, until the watchdog (watchdog.c) takes over. */
        || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return cfs_fail(err, CFS_STEP_USER, "");
    return 0;
}

/* capset(2) leaves the permitted and effective sets to what is kept and
 * the inheritable one empty.  Root's execve then keeps exactly those
 * (capabilities(7), "Transformation of capabilities during execve()"). */
int
cfs_set_capabilities(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    const unsigned long long keep = security->capabilities;

    if (cfs_traced_capset(args->trace, keep, keep) < 0)
        return cfs_fail(err, CFS_STEP_CAPABILITIES, "");
    return 0;
}
