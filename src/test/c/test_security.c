/* Unit tests of the seccomp filter security.c builds: run by a small cBPF
 * interpreter (the instructions the filter uses) over every system call
 * number, so a wrong jump shows up as a wrong answer, and a filter that
 * makes the kernel's install-time pass slow shows up as a long path.
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
#include <sys/stat.h>
#include <sys/syscall.h>

#include "check.h"
#include "cfs.h"
#include "security.h"

#if defined(__x86_64__) /* the numbers below are x86_64's */

#define EPERM_ANSWER (SECCOMP_RET_ERRNO | EPERM)

struct verdict {
    unsigned int answer;
    int steps; /* instructions run */
};

static struct verdict
run_filter(const struct cfs_security *s, unsigned int arch, int nr, unsigned long long arg0,
           unsigned long long arg1, unsigned long long arg2)
{
    struct seccomp_data data = { .nr = nr, .arch = arch, .args = { arg0, arg1, arg2 } };
    unsigned int a = 0;
    int steps = 0;

    for (size_t pc = 0; pc < s->filter_length; pc++) {
        const struct sock_filter *f = &s->filter[pc];
        steps++;
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            memcpy(&a, (const char *)&data + f->k, sizeof a);
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= f->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= f->k ? f->jt : f->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & f->k) != 0 ? f->jt : f->jf;
            break;
        case BPF_RET | BPF_K:
            return (struct verdict){ f->k, steps };
        default:
            CHECK(!"an instruction the interpreter does not know");
            return (struct verdict){ 0, steps };
        }
    }
    CHECK(!"the filter ran off its end");
    return (struct verdict){ 0, steps };
}

static unsigned int
answer(const struct cfs_security *s, int nr, unsigned long long arg0, unsigned long long arg1,
       unsigned long long arg2)
{
    return run_filter(s, AUDIT_ARCH_X86_64, nr, arg0, arg1, arg2).answer;
}

/* The filter for a container that keeps only `kept` of its capabilities. */
static struct cfs_security
keeping(unsigned long long kept)
{
    struct cfs_security s;
    cfs_error_t err;
    args_t args;

    memset(&args, 0, sizeof args);
    args.cap_drop = ~0ULL;
    args.cap_add = kept;
    CHECK(cfs_prepare_security(&args, &s, &err) == 0);
    CHECK(s.filter_length > 0 && s.filter_length <= CFS_FILTER_MAX);
    return s;
}

/* Every capability dropped: every rule applies, whoever runs the test. */
static struct cfs_security
contained(void)
{
    return keeping(0);
}

/* Every call refused when no capability is kept: security.c's table, as the
 * filter must answer it (a rule lost or added there fails a check here). */
static const int refused[] = {
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_userfaultfd,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_lookup_dcookie,
    SYS_quotactl,
    SYS_fanotify_init,
    SYS_unshare,
    SYS_setns,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_swapon,
    SYS_swapoff,
    SYS_open_by_handle_at,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_reboot,
    SYS_settimeofday,
    SYS_clock_settime,
    SYS_clock_adjtime,
    SYS_acct,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_kcmp,
    SYS_iopl,
    SYS_ioperm,
    SYS_create_module,
    SYS_get_kernel_syms,
    SYS_query_module,
    SYS_nfsservctl,
    SYS_uselib,
    SYS_ustat,
    SYS_sysfs,
    SYS__sysctl,
};

/* Answered by their arguments, checked one by one below. */
static const int by_argument[] = { SYS_clone, SYS_clone3, SYS_ioctl, SYS_personality };

static int
listed(const int *calls, size_t n, int nr)
{
    for (size_t i = 0; i < n; i++)
        if (calls[i] == nr)
            return 1;
    return 0;
}

/* Every number is answered as the table says: EPERM for the refused calls,
 * and the others allowed, after a few comparisons: the kernel runs the
 * filter for each of them when it is installed, and a chain through every
 * rule cost 80 µs a run. */
static void
every_call_number_gets_the_tables_answer(void)
{
    struct cfs_security s = contained();
    int longest = 0;

    for (int nr = 0; nr < 1024; nr++) {
        struct verdict v = run_filter(&s, AUDIT_ARCH_X86_64, nr, 0, 0, 0);
        if (listed(by_argument, sizeof by_argument / sizeof by_argument[0], nr))
            continue;
        if (listed(refused, sizeof refused / sizeof refused[0], nr)) {
            CHECK(v.answer == EPERM_ANSWER);
            continue;
        }
        CHECK(v.answer == SECCOMP_RET_ALLOW);
        if (v.steps > longest)
            longest = v.steps;
    }
    CHECK(longest <= 16);
}

static void
calls_are_answered_by_their_arguments(void)
{
    struct cfs_security s = contained();

    CHECK(answer(&s, SYS_clone, CLONE_NEWNS, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&s, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0) == EPERM_ANSWER);
    CHECK(answer(&s, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, 0)
          == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_clone3, 0, 0, 0) == (SECCOMP_RET_ERRNO | ENOSYS));
    CHECK(answer(&s, SYS_ioctl, 0, TIOCSTI, 0) == EPERM_ANSWER);
    CHECK(answer(&s, SYS_ioctl, 0, TIOCLINUX, 0) == EPERM_ANSWER);
    CHECK(answer(&s, SYS_ioctl, 0, TCGETS, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_personality, PER_LINUX32, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_personality, 0xffffffff, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_personality, ADDR_NO_RANDOMIZE, 0, 0) == EPERM_ANSWER);
    /* mknod of any node, as in Docker: the device cgroup decides what opens. */
    CHECK(answer(&s, SYS_mknod, 0, S_IFCHR | 0600, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_mknodat, 0, 0, S_IFBLK | 0600) == SECCOMP_RET_ALLOW);
}

static void
other_abis_are_killed(void)
{
    struct cfs_security s = contained();

    CHECK(run_filter(&s, AUDIT_ARCH_I386, 1, 0, 0, 0).answer == SECCOMP_RET_KILL_PROCESS);
    CHECK(answer(&s, 0x40000000 | SYS_read, 0, 0, 0) == SECCOMP_RET_KILL_PROCESS);
}

/* A kept capability lets its calls through: CAP_SYS_ADMIN keeps mount. */
static void
a_kept_capability_allows_its_calls(void)
{
    struct cfs_security s = keeping(1ULL << CAP_SYS_ADMIN);
    const char *ci = getenv("CI");

    if ((s.capabilities & (1ULL << CAP_SYS_ADMIN)) == 0) {
        /* Not root: nothing to keep.  CI runs as root, so there it is a failure. */
        CHECK(ci == NULL || strcmp(ci, "true") != 0);
        return;
    }
    CHECK(answer(&s, SYS_mount, 0, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_clone, CLONE_NEWNS, 0, 0) == SECCOMP_RET_ALLOW);
    CHECK(answer(&s, SYS_keyctl, 0, 0, 0) == EPERM_ANSWER);
}

int
main(void)
{
    every_call_number_gets_the_tables_answer();
    calls_are_answered_by_their_arguments();
    other_abis_are_killed();
    a_kept_capability_allows_its_calls();
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
