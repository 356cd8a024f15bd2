/* container-fs's default seccomp profile: Docker's (moby's
 * profiles/seccomp/default.json), as data, compiled by seccomp.c as a
 * user's profile would be.  An allowlist: every call not named here fails
 * with EPERM, and every call numbered above all of them (newer than this
 * list: mseal, listmount, statmount...) with ENOSYS.  Where it differs from
 * Docker's, a comment says why. */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "seccomp.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define CAP(name) (1ULL << CAP_##name)

/* Calls any process may make, whatever it holds.  Not here, so refused:
 * the kernel keyring (keyctl, add_key, request_key: not namespaced),
 * userfaultfd (stalls the kernel in a page fault, a tool of exploits),
 * io_uring_setup/enter/register (its operations bypass this filter, and it
 * has been the kernel's most exploited interface; Docker dropped it too),
 * modify_ldt (x86's local descriptor table, a source of kernel bugs, needed
 * only by 16-bit code and old Wine), move_pages and migrate_pages, and the
 * calls the kernel keeps for old binaries (uselib, ustat, sysfs, _sysctl). */
static const char *const allowed[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futex",
    "futex_time64",
    "futex_waitv",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getuid32",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "ioctl",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "ipc",
    "kill",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "madvise",
    "membarrier",
    "memfd_create",
    "memfd_secret",
    "mincore",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mmap2",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "name_to_handle_at",
    "nanosleep",
    "newfstatat",
    "_newselect",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "poll",
    "ppoll",
    "ppoll_time64",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "process_mrelease",
    "pselect6",
    "pselect6_time64",
    "ptrace",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recv",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "send",
    "sendfile",
    "sendfile64",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "sigprocmask",
    "sigreturn",
    "socket",
    "socketcall",
    "socketpair",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
    "times",
    "tkill",
    "truncate",
    "truncate64",
    "ugetrlimit",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "waitpid",
    "write",
    "writev",
};

/* x86_64's thread pointer (arch_prctl); Docker also allows modify_ldt there. */
static const char *const allowed_on_x86_64[] = { "arch_prctl" };

/* Calls tied to a capability, as Docker ties them: the container gets them
 * with --cap-add.  CAP_SYS_ADMIN's are mounts, namespaces, the kernel's
 * logs and BPF: with them a container is root on the host, as
 * --privileged. */
static const char *const with_sys_admin[] = {
    "bpf",           "clone",         "clone3",      "fanotify_init",   "fsconfig",
    "fsmount",       "fsopen",        "fspick",      "lookup_dcookie",  "mount",
    "mount_setattr", "move_mount",    "open_tree",   "perf_event_open", "quotactl",
    "quotactl_fd",   "setdomainname", "sethostname", "setns",           "syslog",
    "umount",        "umount2",       "unshare",
};
static const char *const with_dac_read_search[] = { "open_by_handle_at" };
static const char *const with_sys_boot[] = { "reboot" };
static const char *const with_sys_chroot[] = { "chroot" };
static const char *const with_sys_module[] = { "delete_module", "init_module", "finit_module" };
static const char *const with_sys_pacct[] = { "acct" };
/* Docker gives process_vm_readv/writev to every container on Linux 4.8 and
 * later; they read and write another process's memory, so here they stay
 * with CAP_SYS_PTRACE, as kcmp does. */
static const char *const with_sys_ptrace[]
    = { "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev" };
static const char *const with_sys_rawio[] = { "iopl", "ioperm" };
/* clock_adjtime sets the clock too: with CAP_SYS_TIME, where Docker allows
 * every container to call it. */
static const char *const with_sys_time[]
    = { "settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime" };
static const char *const with_sys_tty_config[] = { "vhangup" };
static const char *const with_sys_nice[]
    = { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node" };
static const char *const with_syslog[] = { "syslog" };
static const char *const with_bpf[] = { "bpf" };
static const char *const with_perfmon[] = { "perf_event_open" };

/* The calls answered by their arguments. */
static const char *const clone_call[] = { "clone" };
static const char *const clone3_call[] = { "clone3" };
static const char *const personality_call[] = { "personality" };
static const char *const ioctl_call[] = { "ioctl" };
static const char *const socket_calls[] = { "socket", "socketpair" };

/* clone(2) flags that make a namespace (CLONE_NEWNS ... CLONE_NEWNET). */
#define NAMESPACE_FLAGS                                                                            \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID    \
     | CLONE_NEWNET)

/* The kernel reads these arguments as an int: only the low half counts,
 * whatever a caller puts in the high one. */
#define LOW_HALF 0xffffffffULL

#define RULE(list, ...)                                                                            \
    {                                                                                              \
        .names = list, .nnames = COUNT(list), __VA_ARGS__                                          \
    }
#define ALLOW_WITH(list, cap) RULE(list, .action = CFS_SECCOMP_ALLOW, .caps = CAP(cap))
#define REFUSE_WHEN(list, arg, mask, value)                                                        \
    RULE(list, .action = CFS_SECCOMP_ERRNO, .errno_ret = EPERM,                                    \
         .conditions = { { (arg), CFS_SECCOMP_MASKED_EQ, (mask), (value) } }, .nconditions = 1)
#define PERSONALITY(value)                                                                         \
    RULE(personality_call, .action = CFS_SECCOMP_ALLOW,                                            \
         .conditions = { { 0, CFS_SECCOMP_EQ, (value), 0 } }, .nconditions = 1)

static const struct cfs_seccomp_rule rules[] = {
    RULE(allowed, .action = CFS_SECCOMP_ALLOW),
    RULE(allowed_on_x86_64, .action = CFS_SECCOMP_ALLOW, .arches = CFS_SECCOMP_ARCH_X86_64),
    /* personality(2): Linux, 32-bit uname, and their query; the others turn
     * off address randomisation or change how the kernel reads a program. */
    PERSONALITY(0x0),
    PERSONALITY(0x8),
    PERSONALITY(0x20000),
    PERSONALITY(0x20008),
    PERSONALITY(0xffffffff),
    ALLOW_WITH(with_dac_read_search, DAC_READ_SEARCH),
    ALLOW_WITH(with_sys_admin, SYS_ADMIN),
    /* Without CAP_SYS_ADMIN, clone without namespace flags; clone3 passes
     * its flags in memory, out of the filter's reach: ENOSYS makes glibc
     * fall back to clone, whose flags it can see. */
    RULE(clone_call, .action = CFS_SECCOMP_ALLOW, .caps_excluded = CAP(SYS_ADMIN),
         .conditions = { { 0, CFS_SECCOMP_MASKED_EQ, NAMESPACE_FLAGS, 0 } }, .nconditions = 1),
    RULE(clone3_call, .action = CFS_SECCOMP_ERRNO, .errno_ret = ENOSYS,
         .caps_excluded = CAP(SYS_ADMIN)),
    ALLOW_WITH(with_sys_boot, SYS_BOOT),
    ALLOW_WITH(with_sys_chroot, SYS_CHROOT),
    ALLOW_WITH(with_sys_module, SYS_MODULE),
    ALLOW_WITH(with_sys_pacct, SYS_PACCT),
    ALLOW_WITH(with_sys_ptrace, SYS_PTRACE),
    ALLOW_WITH(with_sys_rawio, SYS_RAWIO),
    ALLOW_WITH(with_sys_time, SYS_TIME),
    ALLOW_WITH(with_sys_tty_config, SYS_TTY_CONFIG),
    ALLOW_WITH(with_sys_nice, SYS_NICE),
    ALLOW_WITH(with_syslog, SYSLOG),
    ALLOW_WITH(with_bpf, BPF),
    ALLOW_WITH(with_perfmon, PERFMON),
    /* Not Docker's: container-fs's own refusals, of calls the list allows.
     * ioctl's TIOCSTI pushes bytes into a terminal's input as if typed, and
     * TIOCLINUX can paste into a console: either lets a container type
     * commands into the shell it was started from. */
    REFUSE_WHEN(ioctl_call, 1, LOW_HALF, TIOCSTI),
    REFUSE_WHEN(ioctl_call, 1, LOW_HALF, TIOCLINUX),
    /* AF_VSOCK reaches the hypervisor and its agents from a virtual machine
     * (Docker refuses it too).  mknod(2) of any node is allowed, as in
     * Docker: the container's device cgroup (devices.c) refuses to open
     * all but a few devices, whoever made the node. */
    REFUSE_WHEN(socket_calls, 0, LOW_HALF, AF_VSOCK),
};

const struct cfs_seccomp_profile cfs_default_seccomp_profile = {
    .default_action = CFS_SECCOMP_ERRNO,
    .default_errno = EPERM,
    .rules = rules,
    .nrules = COUNT(rules),
};
