/* container-fs C core: the vocabulary every module of the core shares.
 *
 * What a container is asked to be (args_t, struct cfs_mount), the steps that
 * build it (enum cfs_step), the record of a failure (cfs_error_t) and the
 * helpers that fill and read that record.  Every module of the core includes
 * this header, never the orchestrator's container.h, which only the
 * orchestrator (container.c) and the front ends (main.c, jni_native.c)
 * include.  No JNI here: the same core is called by the JNI bridge and by the
 * plain C front end. */
#ifndef CFS_CFS_H
#define CFS_CFS_H

#include <limits.h>
#include <stddef.h>

/* The kernel copies at most one page of mount(2) data and silently cuts the
 * rest (fs/namespace.c: copy_mount_options), so a longer option string could
 * mount the wrong layers.  We refuse anything that does not fit. */
#define CFS_OPTIONS_MAX 4096

/* Exit codes, as docker run uses them. */
#define CFS_EXIT_FAILED 125     /* container-fs itself failed */
#define CFS_EXIT_CANNOT_RUN 126 /* the command exists but cannot be run */
#define CFS_EXIT_NOT_FOUND 127  /* the command is not in the container */
#define CFS_EXIT_STOPPED 130    /* --step: q at a pause, as a shell's 128 + SIGINT */

/* The steps that build a container, in the order they run.  They cross JNI
 * as numbers: io.containerfs.linux.Step lists the same names in the same
 * order (StepTest checks it). */
enum cfs_step {
    CFS_STEP_NONE = 0,
    CFS_STEP_ROOTLESS,     /* refuse what needs real root, run by an ordinary user (parent) */
    CFS_STEP_LAYERS,       /* resolve each layer (parent); a lower one gone by the mount (child) */
    CFS_STEP_LOCK,         /* lock WRITEDIR and the work directory till the end (parent) */
    CFS_STEP_MOUNTPOINT,   /* check TMPDIR, which the overlay is mounted over (parent) */
    CFS_STEP_WORKDIR,      /* make overlayfs's work directory beside WRITEDIR (parent) */
    CFS_STEP_OPTIONS,      /* build the overlay option string (parent) */
    CFS_STEP_CGROUP,       /* make the cgroup and write its limits (parent) */
    CFS_STEP_PREPARE,      /* pipe, stack, signal dispositions (parent) */
    CFS_STEP_CLONE,        /* clone the child into new namespaces (parent) */
    CFS_STEP_ID_MAP,       /* rootless: map the user namespace's ids; the child waits for it */
    CFS_STEP_WATCHDOG,     /* start the watchdog that kills the container if we die (parent) */
    CFS_STEP_NET_STACK,    /* start slirp4netns and publish -p's ports (parent) */
    CFS_STEP_PARENT,       /* die with the parent, and check it is still there (child) */
    CFS_STEP_SETNS,        /* exec: join the running container's namespaces (setns) */
    CFS_STEP_JOIN_CGROUP,  /* move into the cgroup */
    CFS_STEP_NETWORK,      /* bring up lo; the stack's DNS in /etc/resolv.conf; wait for it */
    CFS_STEP_PRIVATE,      /* make every mount private */
    CFS_STEP_OVERLAY,      /* mount the overlay */
    CFS_STEP_WRITABLE,     /* check overlayfs did not fall back to a read-only root */
    CFS_STEP_ENTER,        /* chdir into the overlay */
    CFS_STEP_PROC,         /* mount /proc */
    CFS_STEP_DEV,          /* populate a minimal /dev */
    CFS_STEP_SYS,          /* mount a read-only /sys */
    CFS_STEP_SYSCTL,       /* linux.sysctl: write the namespaced kernel parameters */
    CFS_STEP_KERNEL_FILES, /* mask /proc/kcore and the like, /proc/sys read-only */
    CFS_STEP_MOUNTS,       /* -v and --tmpfs */
    CFS_STEP_PIVOT,        /* pivot_root into the overlay */
    CFS_STEP_HOSTNAME,     /* the UTS namespace's hostname */
    CFS_STEP_CWD,          /* -w: the command's directory */
    CFS_STEP_SIGNALS,      /* default dispositions, empty mask */
    CFS_STEP_LIMITS,       /* the caller's RLIMIT_NOFILE, not the JVM's */
    CFS_STEP_STDIO,        /* /dev/null for a descriptor 0-2 the caller did not have */
    CFS_STEP_TTY,          /* -t: the container's own terminal */
    CFS_STEP_FDS,          /* no inherited descriptor above 2 */
    CFS_STEP_START,        /* create: wait on the exec FIFO for start, then report nothing more */
    CFS_STEP_NO_NEW_PRIVS, /* --security-opt no-new-privileges */
    CFS_STEP_SECCOMP,      /* install the seccomp filter */
    CFS_STEP_USER,         /* -u: become the user */
    CFS_STEP_CAPABILITIES, /* keep only the allowed capabilities */
    CFS_STEP_INIT,         /* --init: start the command under a tiny init */
    CFS_STEP_EXEC,         /* execvp the command */
    CFS_STEP_LOADER,       /* the command is there, its #! interpreter or ELF loader not */
    CFS_STEP_WAIT,         /* waitpid (parent) */
    CFS_STEP_OOM,          /* the OOM killer ended the command (parent) */
    CFS_STEP_TERMINAL,     /* --step: open /dev/tty, where Enter is read (parent) */
    CFS_STEP_STOPPED,      /* --step: q at a pause stopped the run (parent) */
    CFS_STEP_HOOK,         /* an OCI hook of config.json failed, or outlived its timeout */
    CFS_STEP_COUNT
};

/* The layer rules a stack broke (layers.c), where errno alone cannot say
 * which: the one line both front ends print depends on it (errors.c). */
enum cfs_rule {
    CFS_RULE_NONE = 0,
    CFS_RULE_SAME_DIRECTORY,   /* layers path and other are one directory (detail: its real path) */
    CFS_RULE_UPPER_IN_LOWER,   /* WRITEDIR path is inside the lower layer other */
    CFS_RULE_LOWER_IN_UPPER,   /* the lower layer path is inside WRITEDIR other */
    CFS_RULE_NOT_WRITABLE,     /* WRITEDIR path cannot be written (EROFS, EACCES) */
    CFS_RULE_WORK_DIRECTORY,   /* --overlay-workdir path is not a directory we can use */
    CFS_RULE_WORK_OVERLAPS,    /* --overlay-workdir path overlaps the layer other (a real path) */
    CFS_RULE_WORK_ELSEWHERE,   /* --overlay-workdir path is not on WRITEDIR other's filesystem */
    CFS_RULE_RUNNING_WRITEDIR, /* our detail (WRITEDIR, work directory, lower layer) path
                                  overlaps other, the WRITEDIR of the running container of
                                  process holder */
    CFS_RULE_RUNNING_WORKDIR,  /* the same with other its --overlay-workdir */
    CFS_RULE_RUNNING_LOWER,    /* our detail (WRITEDIR, work directory) path overlaps other, a
                                  lower layer of the running container of process holder */
};

/* What failed: the step, the path it worked on (may be empty) and errno;
 * for a broken layer rule, which one and the other layer it names.  The
 * child sends this record to the parent over a close-on-exec pipe. */
typedef struct {
    int step;
    int err;
    int holder; /* CFS_STEP_LOCK: the pid holding the lock, or 0 when unknown */
    int rule;   /* enum cfs_rule, or CFS_RULE_NONE */
    char path[PATH_MAX];
    char other[PATH_MAX];  /* the second path a rule names, or empty */
    char detail[PATH_MAX]; /* the kernel's own words (an fsopen(2) log), a real path, or empty */
} cfs_error_t;

/* The longest line cfs_format_error writes, its three paths and its words. */
#define CFS_MESSAGE_MAX (3 * PATH_MAX + 512)

/* A mount in the container (-v, --tmpfs), made after pivot_root. */
struct cfs_mount {
    const char *source;        /* a host file or directory to bind, or NULL for a tmpfs */
    const char *target;        /* an absolute path in the container, made if missing */
    const char *tmpfs_options; /* "size=64m,mode=755" for a tmpfs, or NULL */
    int read_only;             /* :ro: read-only even for root inside */
    int nosuid;                /* an OCI bind's nosuid: setuid bits do nothing */
    int noexec;                /* an OCI bind's noexec: nothing on it can be executed */
    int cgroup; /* OCI's cgroup mount: the container's own cgroup, read-only (rootfs.c) */
};

/* process.capabilities (OCI): the five sets, bit N for capability N of
 * capability.h.  The run form's --cap-add and --cap-drop fill bounding,
 * effective and permitted with one set and leave the other two empty
 * (security.c). */
struct cfs_capabilities {
    unsigned long long bounding;
    unsigned long long effective;
    unsigned long long permitted;
    unsigned long long inheritable;
    unsigned long long ambient;
};

/* process.rlimits (OCI): a resource by its name, RLIMIT_NOFILE and the like,
 * set in the child before exec (exec.c).  RLIM_INFINITY is all bits set. */
struct cfs_rlimit {
    const char *type;
    unsigned long long soft;
    unsigned long long hard;
};

/* --network: zero, the default, is a network namespace of the container's
 * own with outbound connections through a user-mode stack (network.c). */
enum cfs_network {
    CFS_NETWORK_PRIVATE = 0, /* its own namespace, slirp4netns's tap0 and lo */
    CFS_NETWORK_NONE,        /* its own namespace, lo only */
    CFS_NETWORK_HOST,        /* the host's network */
    CFS_NETWORK_JOIN,        /* an existing namespace, join_paths' network (an OCI engine's) */
};

/* -p: a port of the host that slirp4netns forwards to one of the container's. */
struct cfs_port {
    unsigned int host_addr; /* IPv4, host byte order; 0 for every address */
    int host_port;          /* 1 to 65535 */
    int container_port;     /* 1 to 65535 */
    int udp;                /* UDP, else TCP */
};

/* What a device rule lets the container do with a node: the bits of the
 * cgroup BPF device program's access type (linux/bpf.h, BPF_DEVCG_ACC_*),
 * and the letters m, r and w of the v1 devices controller. */
#define CFS_ACCESS_MKNOD 1
#define CFS_ACCESS_READ 2
#define CFS_ACCESS_WRITE 4

/* A node made in the container's /dev (devices.c).  --device HOST[:CTR][:PERMS]:
 * the host node's type, numbers, mode and owner, and a rule that allows
 * what PERMS says.  An OCI config's linux.devices entry (node_given): the
 * type, numbers, mode and owner it lists, and no rule of its own: as in
 * runc, linux.resources.devices' rules (device_rules) decide whether it
 * opens. */
struct cfs_device {
    /* --device: a character or block device of the host; a symlink to one
     * is followed.  node_given: the same path on the host, bound in the
     * node's place where mknod(2) is refused (a user namespace) if it is
     * that very device, as runc does. */
    const char *host;
    const char *target; /* an absolute path under /dev in the container */
    int access;         /* CFS_ACCESS_* bits of its rule; 0: none */
    int node_given;     /* the fields below, not the host's node */
    unsigned int mode;  /* S_IFCHR, S_IFBLK or S_IFIFO and the permission bits */
    unsigned int major, minor;
    unsigned int uid, gid;
};

/* A rule of the container's device cgroup that allows what access says on
 * the nodes it matches (linux.resources.devices' allow rules). */
struct cfs_device_rule {
    char type;        /* 'c' or 'b' */
    int major, minor; /* -1: every number */
    int access;       /* CFS_ACCESS_* */
};

/* config.json's hooks (the runtime spec's config.md, "POSIX-platform
 * Hooks"), by when they run (hooks.c); io.containerfs.linux.Hook.Phase
 * lists the same, in this order. */
enum cfs_hook_phase {
    CFS_HOOK_PRESTART,         /* runtime namespace, after the namespaces, before pivot_root */
    CFS_HOOK_CREATE_RUNTIME,   /* the same, before prestart */
    CFS_HOOK_CREATE_CONTAINER, /* the container's namespaces, before pivot_root */
    CFS_HOOK_START_CONTAINER,  /* the container, after start, before exec */
    CFS_HOOK_POSTSTART,        /* runtime namespace, once the program runs */
    CFS_HOOK_POSTSTOP,         /* runtime namespace, in delete */
};

/* One hook: a program run with the container's state JSON on its stdin. */
struct cfs_hook {
    int phase;         /* enum cfs_hook_phase */
    const char *path;  /* absolute; where it resolves depends on the phase */
    char *const *argv; /* NULL-terminated, argv[0] included */
    char *const *envp; /* NULL-terminated: the hook's whole environment */
    int timeout;       /* seconds; 0: none */
};

/* A seccomp profile in Docker's format (--security-opt seccomp=FILE, read by
 * the jar), or container-fs's own default (seccomp_default.c): a default
 * action, and rules that give some system calls, by name, another one.
 * seccomp.c compiles either into the filter.  The actions and operators
 * cross JNI as numbers: io.containerfs.linux.SeccompProfile lists the same. */
enum cfs_seccomp_action {
    CFS_SECCOMP_ALLOW,        /* SCMP_ACT_ALLOW */
    CFS_SECCOMP_ERRNO,        /* SCMP_ACT_ERRNO: fail with errno_ret */
    CFS_SECCOMP_KILL_THREAD,  /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
    CFS_SECCOMP_KILL_PROCESS, /* SCMP_ACT_KILL_PROCESS */
    CFS_SECCOMP_TRAP,         /* SCMP_ACT_TRAP: SIGSYS */
    CFS_SECCOMP_LOG,          /* SCMP_ACT_LOG: allowed, and logged by the kernel */
};

/* How an argument is compared, numbered as libseccomp's enum scmp_compare. */
enum cfs_seccomp_operator {
    CFS_SECCOMP_NE = 1,
    CFS_SECCOMP_LT,
    CFS_SECCOMP_LE,
    CFS_SECCOMP_EQ,
    CFS_SECCOMP_GE,
    CFS_SECCOMP_GT,
    CFS_SECCOMP_MASKED_EQ, /* (argument & value) == value_two */
};

/* The architectures a rule names (includes.arches, excludes.arches). */
#define CFS_SECCOMP_ARCH_X86_64 1u
#define CFS_SECCOMP_ARCH_AARCH64 2u
#define CFS_SECCOMP_ARCH_OTHER 4u

#define CFS_SECCOMP_ARGS 6 /* a system call has six arguments */

struct cfs_seccomp_condition {
    unsigned int index; /* the argument, 0 to 5 */
    int op;             /* enum cfs_seccomp_operator */
    unsigned long long value;
    unsigned long long value_two;
};

/* The calls named get action when every condition holds, if the rule
 * applies to this container at all. */
struct cfs_seccomp_rule {
    const char *const *names; /* system calls; names this architecture lacks are skipped */
    int nnames;
    int action;                       /* enum cfs_seccomp_action */
    unsigned int errno_ret;           /* for CFS_SECCOMP_ERRNO */
    unsigned long long caps;          /* includes.caps: applies only when all of these are kept */
    unsigned long long caps_excluded; /* excludes.caps: not when any of these is kept */
    unsigned int arches;              /* includes.arches: CFS_SECCOMP_ARCH_ bits; 0: any */
    unsigned int arches_excluded;     /* excludes.arches */
    unsigned int min_kernel;          /* includes.minKernel, major * 65536 + minor; 0: any */
    struct cfs_seccomp_condition conditions[CFS_SECCOMP_ARGS];
    int nconditions;
};

struct cfs_seccomp_profile {
    int default_action; /* enum cfs_seccomp_action */
    unsigned int default_errno;
    const struct cfs_seccomp_rule *rules;
    int nrules;
};

/* Everything a container needs, as the user gave it; zero is the safe
 * default of every field but the paths and the command.  The core resolves the
 * layers, makes the mountpoint and work directory, and builds the option
 * string and every path the child uses before clone(): after clone the child
 * of a multithreaded JVM may only make system calls. */
typedef struct {
    int argc;                  /* number of words of the command */
    char **argv;               /* NULL-terminated: the container's argv */
    const char *const *lowers; /* the read-only layers, bottom to top */
    int nlowers;
    /* A root filesystem given as it is (an OCI bundle's root.path): the
     * container pivots into it, bind-mounted onto itself, with no overlay;
     * lowers, upper and workdir are then unused.  NULL: the overlay. */
    const char *rootfs;
    /* The OCI runtime's lifecycle (docs/OCI.md); NULL for container-fs's own
     * runs.  With exec_fifo (create), the parent returns once the child's
     * set-up is done and it waits to open that FIFO for writing, which start
     * opens for reading; there is then no watchdog and no wait: the child
     * outlives us, reparented to the caller's subreaper.  pid_file gets the
     * container's pid once its set-up is done.  With oci_id, the cgroup is
     * named after it and is not swept: delete removes it (cgroup.c). */
    const char *exec_fifo;
    const char *pid_file;
    const char *oci_id;
    const struct cfs_rlimit *rlimits; /* process.rlimits, set in this order */
    int nrlimits;
    /* linux.cgroupsPath: the cgroup's path under each hierarchy, its parents
     * made as needed and left; NULL: container-fs.oci-ID (cgroup.c). */
    const char *cgroups_path;
    /* linux.namespaces' paths: the namespace of each type (linux.namespaces'
     * name: network with CFS_NETWORK_JOIN, ipc, uts or cgroup) at its path is
     * joined with setns(2) rather than made (namespaces.c). */
    const char *const *join_types;
    const char *const *join_paths;
    int njoins;
    /* linux.namespaces' user: a user namespace of the container's own, these
     * written to its /proc/PID/uid_map and gid_map ("inside outside count"
     * lines); NULL: none made (userns.c) */
    const char *uid_map;
    const char *gid_map;
    int cgroup_namespace; /* linux.namespaces' cgroup: one of its own, rooted at its cgroup */
    /* config.json's hooks, in their order, and the state's members besides
     * ociVersion, status and pid ("id": …, "bundle": …, "annotations": …),
     * JSON the front end wrote, for the state each hook reads (hooks.c). */
    const struct cfs_hook *hooks;
    int nhooks;
    const char *hook_state;
    /* process.oomScoreAdj: written to /proc/PID/oom_score_adj after clone. */
    int set_oom_score_adj;
    int oom_score_adj;
    int set_umask; /* process.user.umask: umask(2) to it before exec */
    unsigned int umask;
    /* linux.maskedPaths and readonlyPaths beyond the core's own lists, each
     * under /proc or /sys (rootfs.c). */
    const char *const *masked_paths;
    int nmasked_paths;
    const char *const *readonly_paths;
    int nreadonly_paths;
    /* linux.sysctl: each key, dotted, and its value; namespaced keys only. */
    const char *const *sysctl_keys;
    const char *const *sysctl_values;
    int nsysctls;
    const char *upper;    /* WRITEDIR: the writable upper layer; NULL with read_only */
    const char *workdir;  /* overlayfs's work directory, or NULL: a new one beside WRITEDIR */
    const char *tmpdir;   /* TMPDIR: the overlay goes over it, in the child's namespace */
    const char *hostname; /* NULL: a random 12-hex-digit id, as docker run gives */
    /* The capabilities kept: Docker's default set (security.c) less
     * cap_drop, plus cap_add; bit N is capability N of capability.h, and
     * all bits set is "ALL". */
    unsigned long long cap_add;
    unsigned long long cap_drop;
    /* OCI: these five sets exactly (each bounded by what we hold) instead of
     * the default set, cap_add and cap_drop. */
    int exact_capabilities;
    struct cfs_capabilities capabilities;
    int privileged;         /* all capabilities; no seccomp filter, device rules or masks */
    int seccomp_unconfined; /* no seccomp filter */
    int host_pid_namespace; /* the host's pid namespace, none of its own (OCI, root only) */
    /* --security-opt seccomp=FILE; NULL: the default profile (seccomp_default.c) */
    const struct cfs_seccomp_profile *seccomp_profile;
    int no_new_privileges; /* PR_SET_NO_NEW_PRIVS: setuid bits and file capabilities do nothing */
    /* Limits, as docker run's options; 0: none.  They are written into the
     * cgroup every container gets for its device rules (cgroup.c). */
    long long memory;      /* --memory, in bytes */
    long long memory_swap; /* --memory-swap: memory + swap in bytes; 0: twice memory; -1: any */
    long long pids_limit;  /* --pids-limit */
    long long cpu_quota;   /* --cpus, as microseconds per 100 ms period */
    long long cpu_shares;  /* cpu.shares, 2 to 262144 (v2: the cpu.weight it maps to); 0: 1024 */
    int stats;             /* --stats: print what it used when it ends */
    int init;              /* --init: a tiny init as PID 1 runs the command (init.c) */
    int network;           /* enum cfs_network */
    int tty;               /* -t: a pseudo-terminal of its own, relayed to ours (tty.c) */
    /* OCI's --console-socket: with tty, the pty's master is sent over this
     * unix socket (SCM_RIGHTS) to the engine, not relayed; NULL: relayed. */
    const char *console_socket;
    /* process.consoleSize: the terminal's rows and columns; 0: the caller's
     * terminal's, or none with a console socket. */
    unsigned int console_rows;
    unsigned int console_cols;
    int read_only;                /* --read-only: every layer is a lower one, the root read-only */
    const struct cfs_port *ports; /* -p, on the private network only */
    int nports;
    const struct cfs_mount *mounts; /* -v and --tmpfs, made in this order */
    int nmounts;
    /* --device: nodes beside /dev's defaults, which devices.c's rules
     * allow; every other device is refused unless privileged. */
    const struct cfs_device *devices;
    int ndevices;
    /* linux.resources.devices: allow rules beyond devices.c's defaults. */
    const struct cfs_device_rule *device_rules;
    int ndevice_rules;
    const char *cwd; /* -w: the command's directory, made if missing; NULL: / */
    /* The environment: Docker's clean one (PATH, HOSTNAME, HOME, and TERM on a
     * terminal), or with env_host container-fs's own; then env's NAME=VALUE
     * entries, each replacing a variable of the same name. */
    char *const *env;
    int nenv;
    int env_host;
    const char *home; /* HOME in the clean environment; NULL: /root */
    /* -u: when user is set, become uid, gid and these supplementary groups. */
    int user;
    unsigned int uid;
    unsigned int gid;
    const unsigned int *groups;
    int ngroups;
    int trace; /* print each system call to stderr */
    int step;  /* --step: pause before each step's system call until Enter (step.c) */

    /* What the caller had, where the JVM changed it (0 from the C front end):
     * bit N set when the caller had no descriptor N (0-2), which then is
     * /dev/null in the container; the caller's soft RLIMIT_NOFILE, or 0. */
    int null_stdio;
    unsigned long long nofile;
} args_t;

/* errors.c: the exit status for a failure (125, 126 or 127), and the one
 * line both front ends print after "container-fs: ", with a hint of what to
 * do next where there is one. */
int cfs_exit_status(const cfs_error_t *err);
int cfs_format_error(const cfs_error_t *err, char *buf, size_t size);
const char *cfs_step_name(int step);
void cfs_set_error(cfs_error_t *err, int step, const char *path, int errnum);
/* cfs_set_error with errno, for a step whose system call failed; returns -1,
 * so a step ends with `return cfs_fail(err, step, path)`.  Async-signal-safe:
 * the child calls it between clone and exec. */
int cfs_fail(cfs_error_t *err, int step, const char *path);
/* cfs_set_error for a broken layer rule, naming the other path and a
 * detail (either may be ""); returns -1. */
int cfs_rule_error(cfs_error_t *err, int step, int rule, const char *path, const char *other,
                   const char *detail, int errnum);

#endif
