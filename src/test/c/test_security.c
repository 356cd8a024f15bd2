/* Unit tests of the seccomp filters seccomp.c compiles: run by a small cBPF
 * interpreter (the instructions the compiler writes) over every system call
 * number, so a wrong jump shows up as a wrong answer, a plain call that
 * reads its arguments (which would keep it out of the kernel's cache of
 * always-allowed calls) as a failed check, and a long path as a slow filter.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "check.h"
#include "cfs.h"
#include "security.h"

#if defined(__x86_64__) /* the numbers below are x86_64's */

#define EPERM_ANSWER (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_ANSWER (SECCOMP_RET_ERRNO | ENOSYS)
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct filter {
    struct sock_filter code[CFS_FILTER_MAX];
    unsigned short length;
};

struct verdict {
    unsigned int answer;
    int steps;          /* instructions run */
    int read_arguments; /* loaded an argument: the kernel cannot cache the answer */
};

static struct verdict
run_filter(const struct sock_filter *code, unsigned short length, unsigned int arch, int nr,
           const unsigned long long args[6])
{
    struct seccomp_data data = { .nr = nr, .arch = arch };
    struct verdict v = { 0, 0, 0 };
    unsigned int a = 0;

    memcpy(data.args, args, sizeof data.args);
    for (size_t pc = 0; pc < length; pc++) {
        const struct sock_filter *f = &code[pc];
        v.steps++;
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            CHECK(f->k + sizeof a <= sizeof data);
            memcpy(&a, (const char *)&data + f->k, sizeof a);
            v.read_arguments |= f->k >= offsetof(struct seccomp_data, args);
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f->k;
            break;
        case BPF_JMP | BPF_JA:
            pc += f->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > f->k ? f->jt : f->jf;
            break;
        case BPF_RET | BPF_K:
            v.answer = f->k;
            return v;
        default:
            CHECK(!"an instruction the interpreter does not know");
            return v;
        }
    }
    CHECK(!"the filter ran off its end");
    return v;
}

static unsigned int
answer(const struct filter *f, int nr, unsigned long long arg0, unsigned long long arg1,
       unsigned long long arg2)
{
    const unsigned long long args[6] = { arg0, arg1, arg2, 0, 0, 0 };

    return run_filter(f->code, f->length, AUDIT_ARCH_X86_64, nr, args).answer;
}

/* The default filter for a container that keeps only `kept` of its
 * capabilities, built as a run builds it. */
static struct filter
keeping(unsigned long long kept)
{
    static struct cfs_security s; /* 32 KB: not on the stack */
    struct filter f;
    cfs_error_t err;
    args_t args;

    memset(&args, 0, sizeof args);
    args.cap_drop = ~0ULL;
    args.cap_add = kept;
    CHECK(cfs_prepare_security(&args, &s, &err) == 0);
    CHECK(s.filter_length > 0 && s.filter_length <= CFS_FILTER_MAX);
    memcpy(f.code, s.filter, sizeof f.code);
    f.length = s.filter_length;
    return f;
}

/* Every capability dropped: every rule applies, whoever runs the test. */
static struct filter
contained(void)
{
    return keeping(0);
}

/* Refused when no capability is kept: not in the allowlist, or only with a
 * capability (a rule lost or added in seccomp_default.c fails a check here). */
static const int refused[] = {
    SYS_keyctl, SYS_add_key, SYS_request_key, SYS_userfaultfd, SYS_bpf, SYS_perf_event_open,
    SYS_lookup_dcookie, SYS_quotactl, SYS_fanotify_init, SYS_unshare, SYS_setns, SYS_mount,
    SYS_umount2, SYS_pivot_root, SYS_swapon, SYS_swapoff, SYS_open_by_handle_at, SYS_init_module,
    SYS_finit_module, SYS_delete_module, SYS_kexec_load, SYS_kexec_file_load, SYS_reboot,
    SYS_settimeofday, SYS_clock_settime, SYS_clock_adjtime, SYS_acct, SYS_process_vm_readv,
    SYS_process_vm_writev, SYS_kcmp, SYS_iopl, SYS_ioperm, SYS_create_module, SYS_get_kernel_syms,
    SYS_query_module, SYS_nfsservctl, SYS_uselib, SYS_ustat, SYS_sysfs, SYS__sysctl,
    /* issue 23: what the denylist let through */
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_modify_ldt, SYS_mbind,
    SYS_set_mempolicy, SYS_get_mempolicy, SYS_move_pages, SYS_migrate_pages, SYS_sethostname,
    SYS_setdomainname, SYS_syslog, SYS_vhangup,
    SYS_chroot, /* with CAP_SYS_CHROOT, which Docker's default set has: see below */
};

/* What every program calls: allowed. */
static const int allowed[] = {
    SYS_read,       SYS_write,           SYS_openat,     SYS_close,      SYS_execve,
    SYS_mmap,       SYS_futex,           SYS_exit_group, SYS_wait4,      SYS_rt_sigaction,
    SYS_arch_prctl, SYS_set_tid_address, SYS_getdents64, SYS_newfstatat, SYS_ptrace,
    SYS_prctl,      SYS_capset,          SYS_setuid,     SYS_execveat,   SYS_pidfd_send_signal,
    SYS_mkdir,      SYS_statx,           SYS_rseq,       SYS_vfork,      SYS_fork,
};

/* Answered by their arguments, checked one by one below. */
static const int by_argument[]
    = { SYS_clone, SYS_clone3, SYS_ioctl, SYS_personality, SYS_socket, SYS_socketpair };

static int
listed(const int *calls, size_t n, int nr)
{
    for (size_t i = 0; i < n; i++)
        if (calls[i] == nr)
            return 1;
    return 0;
}

static void
every_call_number_gets_the_profiles_answer(void)
{
    struct filter f = contained();
    const unsigned long long none[6] = { 0 };
    int longest = 0, allowed_count = 0;

    for (size_t i = 0; i < COUNT(refused); i++)
        CHECK(answer(&f, refused[i], 0, 0, 0) == EPERM_ANSWER);
    for (size_t i = 0; i < COUNT(allowed); i++)
        CHECK(answer(&f, allowed[i], 0, 0, 0) == SECCOMP_RET_ALLOW);
    for (int nr = 0; nr < 1024; nr++) {
        struct verdict v = run_filter(f.code, f.length, AUDIT_ARCH_X86_64, nr, none);
        if (listed(by_argument, COUNT(by_argument), nr))
            continue;
        CHECK(v.answer == SECCOMP_RET_ALLOW || v.answer == EPERM_ANSWER
              || v.answer == ENOSYS_ANSWER);
        /* The kernel caches an answer reached from the number alone. */
        CHECK(!v.read_arguments);
        allowed_count += v.answer == SECCOMP_RET_ALLOW;
        if (v.steps > longest)
            longest = v.steps;
    }
    CHECK(allowed_count > 250 && allowed_count < 340);
    CHECK(longest <= 16);
}

/* Above every call the profile names, ENOSYS: a newer kernel's calls fail as
 * if it did not have them (mseal 462, listmount 458, statmount 457). */
static void
newer_calls_are_answered_enosys(void)
{
    struct filter f = contained();

    CHECK(answer(&f, 457, 0, 0, 0) == ENOSYS_ANSWER);
    CHECK(answer(&f, 458, 0, 0, 0) == ENOSYS_ANSWER);
    CHECK(answer(&f, 462, 0, 0, 0) == ENOSYS_ANSWER);
    CHECK(answer(&f, 1000, 0, 0, 0) == ENOSYS_ANSWER);
    CHECK(answer(&f, 0x3fffffff, 0, 0, 0) == ENOSYS_ANSWER);
    /* Below the highest, a call it does not name is refused with EPERM. */
    CHECK(answer(&f, SYS_kexec_file_load, 0, 0, 0) == EPERM_ANSWER);
}

static void
calls_are_answered_by_their_arguments(void)
{
    struct filter f = contained();
    const unsigned long long high = 1ULL << 32; /* ignored by the kernel, which reads an int */

    CHECK(answer(&f, SYS_clone, CLONE_NEWNS, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, 0)
          == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_clone3, 0, 0, 0) == ENOSYS_ANSWER);
    CHECK(answer(&f, SYS_ioctl, 0, TIOCSTI, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_ioctl, 0, high | TIOCSTI, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_ioctl, 0, TIOCLINUX, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_ioctl, 0, TCGETS, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_personality, PER_LINUX32, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_personality, 0xffffffff, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_personality, ADDR_NO_RANDOMIZE, 0, 0) == EPERM_ANSWER);
    /* mknod of any node, as in Docker: the device cgroup decides what opens. */
    CHECK(answer(&f, SYS_mknod, 0, S_IFCHR | 0600, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_mknodat, 0, 0, S_IFBLK | 0600) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_socket, AF_VSOCK, SOCK_STREAM, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_socket, high | AF_VSOCK, SOCK_STREAM, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_socketpair, AF_VSOCK, SOCK_STREAM, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_socket, AF_INET, SOCK_STREAM, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_socketpair, AF_UNIX, SOCK_STREAM, 0) == SECCOMP_RET_ALLOW);
}

static void
other_abis_are_killed(void)
{
    struct filter f = contained();
    const unsigned long long none[6] = { 0 };

    CHECK(run_filter(f.code, f.length, AUDIT_ARCH_I386, 1, none).answer
          == SECCOMP_RET_KILL_PROCESS);
    CHECK(answer(&f, 0x40000000 | SYS_read, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS);
    CHECK(answer(&f, -1, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS);
}

/* A kept capability lets its calls through: CAP_SYS_ADMIN keeps mount and
 * namespaces, CAP_SYS_CHROOT (Docker's default set) chroot. */
static void
a_kept_capability_allows_its_calls(void)
{
    struct filter f = keeping(1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SYS_CHROOT);
    struct filter contained_filter = contained();
    const char *ci = getenv("CI");

    if (answer(&f, SYS_chroot, 0, 0, 0) != SECCOMP_RET_ALLOW) {
        /* Not root: nothing to keep.  CI runs as root, so there it is a failure. */
        CHECK(ci == NULL || strcmp(ci, "true") != 0);
        return;
    }
    CHECK(answer(&contained_filter, SYS_chroot, 0, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_mount, 0, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_unshare, CLONE_NEWNS, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_clone, CLONE_NEWNS, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_clone3, 0, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_sethostname, 0, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_keyctl, 0, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&f, SYS_io_uring_setup, 0, 0, 0) == EPERM_ANSWER);
}

/* ---- the compiler, on profiles a user could give ---- */

static struct filter
compiled(const struct cfs_seccomp_profile *profile)
{
    struct filter f;
    cfs_error_t err;

    CHECK(cfs_compile_seccomp(profile, 0, f.code, &f.length, &err) == 0);
    return f;
}

static int
holds(int op, unsigned long long arg, unsigned long long value, unsigned long long two)
{
    switch (op) {
    case CFS_SECCOMP_NE:
        return arg != value;
    case CFS_SECCOMP_LT:
        return arg < value;
    case CFS_SECCOMP_LE:
        return arg <= value;
    case CFS_SECCOMP_EQ:
        return arg == value;
    case CFS_SECCOMP_GE:
        return arg >= value;
    case CFS_SECCOMP_GT:
        return arg > value;
    default:
        return (arg & value) == two;
    }
}

/* Each operator compares all 64 bits, around the value and across the
 * halves: a rule refusing getpid with EACCES when it holds, else allowed. */
static void
every_operator_compares_the_whole_argument(void)
{
    static const char *const getpid_call[] = { "getpid" };
    const unsigned long long value = 0x100000005ULL, two = 0x100000004ULL;
    const unsigned long long args[] = { 0,
                                        1,
                                        4,
                                        5,
                                        6,
                                        1ULL << 32,
                                        value - 1,
                                        value,
                                        value + 1,
                                        two,
                                        ~0ULL,
                                        0xffffffffULL,
                                        value | 0xff00000000ULL };

    for (int op = CFS_SECCOMP_NE; op <= CFS_SECCOMP_MASKED_EQ; op++) {
        const struct cfs_seccomp_rule rule = { .names = getpid_call,
                                               .nnames = 1,
                                               .action = CFS_SECCOMP_ERRNO,
                                               .errno_ret = EACCES,
                                               .conditions = { { 2, op, value, two } },
                                               .nconditions = 1 };
        const struct cfs_seccomp_profile profile = { CFS_SECCOMP_ALLOW, 0, &rule, 1 };
        struct filter f = compiled(&profile);

        for (size_t i = 0; i < COUNT(args); i++) {
            unsigned int expected
                = holds(op, args[i], value, two) ? (SECCOMP_RET_ERRNO | EACCES) : SECCOMP_RET_ALLOW;
            CHECK(answer(&f, SYS_getpid, 0, 0, args[i]) == expected);
        }
        /* A profile that allows what it does not name allows newer calls too. */
        CHECK(answer(&f, 1000, 0, 0, 0) == SECCOMP_RET_ALLOW);
    }
}

/* Long rules on many calls: jumps further than 255 instructions go through
 * BPF_JA, and every call still gets its own answer.  Names this
 * architecture lacks are skipped. */
static void
a_long_profile_keeps_every_answer(void)
{
    static const char *const names[]
        = { "read",        "write",    "open",  "close",    "stat",    "fstat",  "lstat",
            "poll",        "lseek",    "mmap",  "mprotect", "munmap",  "brk",    "ioctl",
            "pread64",     "pwrite64", "readv", "writev",   "access",  "pipe",   "select",
            "sched_yield", "mremap",   "msync", "mincore",  "madvise", "shmget", "shmat" };
    static const char *const also[] = { "no_such_call", "getppid" };
    static struct cfs_seccomp_rule rules[COUNT(names) + 1];
    const size_t n = COUNT(names);
    const unsigned long long hold[6] = { 11, 999, 8, 2, 5, 0 };
    const unsigned long long fail[6] = { 11, 999, 8, 3, 5, 0 };
    struct filter f;

    for (size_t r = 0; r < n; r++)
        rules[r] = (struct cfs_seccomp_rule){ .names = &names[r],
                                              .nnames = 1,
                                              .action = CFS_SECCOMP_ERRNO,
                                              .errno_ret = (unsigned int)(r + 1),
                                              .conditions = { { 0, CFS_SECCOMP_GT, 10, 0 },
                                                              { 1, CFS_SECCOMP_LT, 1000, 0 },
                                                              { 2, CFS_SECCOMP_NE, 7, 0 },
                                                              { 3, CFS_SECCOMP_MASKED_EQ, 1, 0 },
                                                              { 4, CFS_SECCOMP_LE, 5, 0 },
                                                              { 5, CFS_SECCOMP_GE, 0, 0 } },
                                              .nconditions = 6 };
    rules[n] = (struct cfs_seccomp_rule){ .names = also, .nnames = 2, .action = CFS_SECCOMP_ALLOW };
    f = compiled(&(struct cfs_seccomp_profile){ CFS_SECCOMP_KILL_PROCESS, 0, rules, (int)n + 1 });
    CHECK(f.length > 600);
    for (size_t r = 0; r < n; r++) {
        int number = cfs_syscall_number(names[r]);
        CHECK(number >= 0);
        CHECK(run_filter(f.code, f.length, AUDIT_ARCH_X86_64, number, hold).answer
              == (SECCOMP_RET_ERRNO | (unsigned int)(r + 1)));
        CHECK(run_filter(f.code, f.length, AUDIT_ARCH_X86_64, number, fail).answer
              == SECCOMP_RET_KILL_PROCESS);
    }
    CHECK(answer(&f, SYS_getppid, 0, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&f, SYS_getpid, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS);
    CHECK(answer(&f, SYS_getppid + 1, 0, 0, 0) == ENOSYS_ANSWER);
}

/* Too long for the kernel (BPF_MAXINSNS): E2BIG, nothing installed. */
static void
a_profile_too_long_is_refused(void)
{
    static const char *const every[] = { "read", "write", "openat", "close", "getpid", "mmap" };
    static struct cfs_seccomp_rule rules[200];
    struct sock_filter *code = malloc(CFS_FILTER_MAX * sizeof *code);
    unsigned short length = 0;
    cfs_error_t err;

    for (size_t i = 0; i < COUNT(rules); i++)
        rules[i] = (struct cfs_seccomp_rule){
            .names = every,
            .nnames = (int)COUNT(every),
            .action = CFS_SECCOMP_ERRNO,
            .errno_ret = 1,
            .conditions = { { 0, CFS_SECCOMP_EQ, i, 0 }, { 1, CFS_SECCOMP_EQ, i, 0 } },
            .nconditions = 2,
        };
    CHECK(cfs_compile_seccomp(&(struct cfs_seccomp_profile){ CFS_SECCOMP_ALLOW, 0, rules, 200 }, 0,
                              code, &length, &err)
          == -1);
    CHECK(err.err == E2BIG);
    free(code);
}

static void
names_are_this_architectures(void)
{
    CHECK(cfs_syscall_number("read") == SYS_read);
    CHECK(cfs_syscall_number("_sysctl") == SYS__sysctl);
    CHECK(cfs_syscall_number("set_mempolicy_home_node") == 450);
    CHECK(cfs_syscall_number("arm_fadvise64_64") == -1);
    CHECK(cfs_syscall_number("") == -1);
}

int
main(void)
{
    every_call_number_gets_the_profiles_answer();
    newer_calls_are_answered_enosys();
    calls_are_answered_by_their_arguments();
    other_abis_are_killed();
    a_kept_capability_allows_its_calls();
    every_operator_compares_the_whole_argument();
    a_long_profile_keeps_every_answer();
    a_profile_too_long_is_refused();
    names_are_this_architectures();
    return check_summary("test_security");
}
#else
int
main(void)
{
    printf("test_security: the checks know x86_64's numbers only; not run\n");
    return 0;
}
#endif
