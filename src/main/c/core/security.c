/* The container's privileges, decided by the parent before clone(): which
 * capabilities it keeps (Docker's default set unless told otherwise), the
 * seccomp filter it gets, and its hostname.  The child applies them with
 * system calls only, in the steps at the end of this file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "namespaces.h"
#include "security.h"
#include "trace.h"

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

/* The seccomp filter: the profile given (--security-opt seccomp=FILE) or
 * the default, Docker's allowlist, for the capabilities kept (seccomp.c). */
static int
build_filter(const args_t *args, struct cfs_security *security, cfs_error_t *err)
{
    const struct cfs_seccomp_profile *profile
        = args->seccomp_profile != NULL ? args->seccomp_profile : &cfs_default_seccomp_profile;

    return cfs_compile_seccomp(profile, security->caps.bounding, security->filter,
                               &security->filter_length, err);
}

/* ---- the hostname ---- */

/* As docker run: 12 hex digits, here random (getrandom(2), Linux 3.17). */
static int
choose_hostname(const args_t *args, struct cfs_security *security, cfs_error_t *err)
{
    unsigned char id[6];

    if (cfs_namespace_joined(args, "uts"))
        return 0; /* the namespace's own, which it keeps: none */
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
    unsigned long long all, base, kept;

    memset(security, 0, sizeof *security);
    if ((security->last_capability = last_capability(err)) < 0
        || permitted_capabilities(&all, err) < 0)
        return -1;
    /* Run by an ordinary user, the container is root in a user namespace of
     * its own, with every capability there, over what that namespace owns
     * only (user_namespaces(7)): bounded as root's would be. */
    if (geteuid() != 0)
        all = security->last_capability >= 63 ? ~0ULL
                                              : (1ULL << (security->last_capability + 1)) - 1;
    if (args->exact_capabilities) {
        /* OCI's sets, as the config lists them; Java checked that capset(2)
         * and PR_CAP_AMBIENT_RAISE will take them (BundleConfig). */
        const struct cfs_capabilities *c = &args->capabilities;
        security->caps
            = (struct cfs_capabilities){ c->bounding & all, c->effective & all, c->permitted & all,
                                         c->inheritable & all, c->ambient & all };
        goto hostname;
    }
    base = args->privileged ? all : default_capabilities();
    /* On the host's network, CAP_NET_RAW opens AF_PACKET sockets that read
     * every packet of the host, its loopback's passwords included: dropped
     * unless asked for, as podman does.  In a network of its own
     * (private, the default, or none) it reaches only that, and stays, as in
     * Docker. */
    if (!args->privileged && args->network == CFS_NETWORK_HOST)
        base &= ~CAP(NET_RAW);
    kept = ((base & ~args->cap_drop) | args->cap_add) & all;
    security->caps = (struct cfs_capabilities){ kept, kept, kept, 0, 0 };
hostname:
    if (choose_hostname(args, security, err) < 0)
        return -1;
    if (args->privileged || args->seccomp_unconfined)
        return 0;
    return build_filter(args, security, err);
}

/* ---- the child's steps: system calls only; 0, or -1 with *err filled ---- */

/* The new UTS namespace starts as a copy of the host's names
 * (uts_namespaces(7)); the container gets its own hostname. */
int
cfs_set_hostname(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    if (security->hostname[0] == '\0') /* a uts namespace joined: its own */
        return 0;
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
 * capset, setuid, execve) are all in the default profile's allowlist; a
 * profile of the user's that refuses one fails the run at that step.  The filter survives execve
 * and is inherited by every child of the command. */
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
 * execve(2) can ever give back, so capabilities not in it are dropped one by
 * one, and the ambient set is emptied (cfs_set_capabilities raises the
 * config's own). */
int
cfs_drop_bounding_set(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    const unsigned long long keep = security->caps.bounding;
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
    int death_signal = 0;

    if (!args->user)
        return 0;
    if (prctl(PR_GET_PDEATHSIG, &death_signal, 0, 0, 0) < 0
        || prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0
        || syscall(SYS_setgroups, (size_t)args->ngroups, args->groups) < 0
        || syscall(SYS_setgid, args->gid) < 0
        || syscall(SYS_setuid, args->uid) < 0
        /* The new credentials cleared the parent-death signal (prctl(2)):
         * set it again where we had one, until the watchdog (watchdog.c)
         * takes over; create's child and exec's have none, since they
         * outlive us (container.c, enter.c). */
        || (death_signal != 0 && prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0) < 0))
        return cfs_fail(err, CFS_STEP_USER, "");
    return 0;
}

/* capset(2) sets the effective, permitted and inheritable sets (effective
 * within permitted, inheritable within the bounding set: the kernel's rules,
 * checked by Java).  Root's execve then gets bounding and inheritable as
 * permitted and effective (capabilities(7), "Transformation of capabilities
 * during execve()"); another user only the ambient set, raised here one by
 * one after the user switch, each already in permitted and inheritable
 * (prctl(2), PR_CAP_AMBIENT_RAISE, Linux 4.3). */
int
cfs_set_capabilities(const args_t *args, const struct cfs_security *security, cfs_error_t *err)
{
    const struct cfs_capabilities *caps = &security->caps;

    if (cfs_traced_capset(args->trace, caps->effective, caps->permitted, caps->inheritable) < 0)
        return cfs_fail(err, CFS_STEP_CAPABILITIES, "");
    for (int cap = 0; cap <= security->last_capability && cap < 64; cap++)
        if ((caps->ambient & (1ULL << cap))
            && cfs_traced_ambient_raise(args->trace, (unsigned long)cap) < 0)
            return cfs_fail(err, CFS_STEP_CAPABILITIES, "");
    return 0;
}
