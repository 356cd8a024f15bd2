/* The container's root file system, under and then inside the overlay: the
 * child's steps from making its mounts private to pivot_root(2), and the
 * working directory after.  Paths are relative to the overlay's root (the
 * current directory, from cfs_enter_root on), so "proc" is the container's
 * /proc.  System calls only: the child runs these between clone and exec. */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount_tree.h"
#include "namespaces.h"
#include "cgroup.h"
#include "rootfs.h"
#include "step.h"
#include "trace.h"

/* Without this, mounts below would propagate to the host when / is a shared
 * mount (systemd makes it so; mount_namespaces(7), "Shared subtrees"). */
int
cfs_make_mounts_private(const args_t *args, cfs_error_t *err)
{
    if (cfs_traced_mount(args->trace, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return cfs_fail(err, CFS_STEP_PRIVATE, "/");
    return 0;
}

/* -v's sources, opened before the overlay goes over TMPDIR: a source at or
 * below TMPDIR would be looked up in the container's root after that, where a
 * layer's symlink could point it anywhere on the host.  O_PATH opens without
 * reading; sources[i] is -1 for a tmpfs. */
int
cfs_open_volume_sources(const args_t *args, int *sources, cfs_error_t *err)
{
    for (int i = 0; i < args->nmounts; i++) {
        const struct cfs_mount *m = &args->mounts[i];

        sources[i] = -1;
        if (m->source != NULL && (sources[i] = open(m->source, O_PATH | O_CLOEXEC)) < 0)
            return cfs_fail(err, CFS_STEP_MOUNTS, m->source);
    }
    return 0;
}

/* From here on, paths are relative to the overlay's root: the current
 * directory.  chdir after the mount, or "." would be the directory beneath. */
int
cfs_enter_root(const args_t *args, const char *mountpoint, cfs_error_t *err)
{
    if (cfs_traced_chdir(args->trace, mountpoint) < 0)
        return cfs_fail(err, CFS_STEP_ENTER, mountpoint);
    return 0;
}

/* A mount point inside the container: a real directory, made if the layers
 * lack it.  A symlink is refused: mount(2) follows it, and a layer whose
 * `proc` points at `/etc` would have us mount over the host's tree. */
static int
make_mount_point(const args_t *args, const char *dir, mode_t mode)
{
    struct stat st;

    if (cfs_traced_mkdir(args->trace, dir, mode) < 0 && errno != EEXIST)
        return -1;
    if (lstat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
        return -1;
    }
    return 0;
}

/* In the new PID namespace, so the container sees only its own processes. */
int
cfs_mount_proc(const args_t *args, cfs_error_t *err)
{
    if (make_mount_point(args, "proc", 0555) < 0 || cfs_pause(args, CFS_PAUSE_PROC) < 0
        || cfs_traced_mount(args->trace, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                            NULL)
               < 0)
        return cfs_fail(err, CFS_STEP_PROC, "proc");
    return 0;
}

/* One of the devices every program expects in /dev. */
struct device {
    const char *host;          /* the host's node, bound where mknod is refused */
    const char *target;        /* in the container's /dev */
    unsigned int major, minor; /* Linux's own numbers (admin-guide/devices.txt) */
};

/* A node of our own on the new /dev, mode 0666 whatever the umask, as runc
 * makes them; a mount fewer to make and to tear down than binding the
 * host's.  Without CAP_MKNOD (some CI containers), the host's node bound
 * onto an empty file instead, as bubblewrap does: a bind mount needs an
 * existing file to mount on. */
static int
make_device(const args_t *args, const struct device *dev)
{
    mode_t umask_was = umask(0);
    int r = cfs_traced_mknod_char(args->trace, dev->target, 0666, dev->major, dev->minor), fd;

    umask(umask_was);
    if (r == 0 || errno != EPERM)
        return r;
    if ((fd = open(dev->target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666)) < 0)
        return -1;
    close(fd);
    return cfs_traced_mount(args->trace, dev->host, dev->target, NULL, MS_BIND, NULL);
}

/* The container's own devpts instance (devpts.rst, "newinstance"), its
 * ptys in group 5, tty, as runc and Docker make them.  In a user namespace
 * that does not map group 5 (a rootless run with no subordinate range) the
 * kernel refuses gid=5 with EINVAL: then the ptys keep their opener's
 * group, as crun does. */
static int
mount_devpts(int trace)
{
    if (cfs_traced_mount(trace, "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                         "newinstance,ptmxmode=0666,mode=0620,gid=5")
        == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    return cfs_traced_mount(trace, "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                            "newinstance,ptmxmode=0666,mode=0620");
}

/* A fresh tmpfs with the devices programs expect (as runc and bubblewrap
 * give), a private devpts instance and /dev/shm. */
int
cfs_mount_dev(const args_t *args, cfs_error_t *err)
{
    static const struct device devices[] = {
        { "/dev/null", "dev/null", 1, 3 },       { "/dev/zero", "dev/zero", 1, 5 },
        { "/dev/full", "dev/full", 1, 7 },       { "/dev/random", "dev/random", 1, 8 },
        { "/dev/urandom", "dev/urandom", 1, 9 }, { "/dev/tty", "dev/tty", 5, 0 },
    };
    static const char *const links[][2] = {
        { "pts/ptmx", "dev/ptmx" },          { "/proc/self/fd", "dev/fd" },
        { "/proc/self/fd/0", "dev/stdin" },  { "/proc/self/fd/1", "dev/stdout" },
        { "/proc/self/fd/2", "dev/stderr" },
    };
    const int trace = args->trace;

    if (make_mount_point(args, "dev", 0755) < 0 || cfs_pause(args, CFS_PAUSE_DEV) < 0
        || cfs_traced_mount(trace, "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                            "mode=755,size=65536k")
               < 0)
        return cfs_fail(err, CFS_STEP_DEV, "dev");
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (make_device(args, &devices[i]) < 0)
            return cfs_fail(err, CFS_STEP_DEV, devices[i].target);
    if (cfs_traced_mkdir(trace, "dev/pts", 0755) < 0 || mount_devpts(trace) < 0)
        return cfs_fail(err, CFS_STEP_DEV, "dev/pts");
    if (cfs_traced_mkdir(trace, "dev/shm", 01777) < 0
        || cfs_traced_mount(trace, "shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                            "mode=1777,size=65536k")
               < 0)
        return cfs_fail(err, CFS_STEP_DEV, "dev/shm");
    /* The new IPC namespace's own POSIX message queues (mq_overview(7)). */
    if (cfs_traced_mkdir(trace, "dev/mqueue", 01777) < 0
        || cfs_traced_mount(trace, "mqueue", "dev/mqueue", "mqueue",
                            MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
               < 0)
        return cfs_fail(err, CFS_STEP_DEV, "dev/mqueue");
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (cfs_traced_symlink(trace, links[i][0], links[i][1]) < 0)
            return cfs_fail(err, CFS_STEP_DEV, links[i][1]);
    return 0;
}

/* Read-only: the container may look at the kernel's objects, not change them. */
int
cfs_mount_sys(const args_t *args, cfs_error_t *err)
{
    if (make_mount_point(args, "sys", 0555) < 0 || cfs_pause(args, CFS_PAUSE_SYS) < 0
        || cfs_traced_mount(args->trace, "sysfs", "sys", "sysfs",
                            MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)
               < 0)
        return cfs_fail(err, CFS_STEP_SYS, "sys");
    return 0;
}

/* /proc and /sys show the whole machine's kernel, not the container's: the
 * files that would let root inside change the host (/proc/sys/kernel/
 * core_pattern runs a program as host root on the next crash,
 * /proc/sysrq-trigger reboots it) become read-only, and those that leak
 * its memory or other tenants' data are masked, with an empty read-only
 * tmpfs over a directory and the container's own dev/null over a file (no
 * host path: the overlay may cover one).  The lists are runc's and Docker's
 * defaults (moby's oci/defaults.go).  A path this kernel lacks is skipped.
 * Both filesystems were just mounted by us, so no symlink of a layer can be
 * on the way. */
/* Read-only: bound onto itself, then remounted read-only (and locked). */
static int
make_read_only(int trace, const char *path)
{
    const unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    struct stat st;

    if (lstat(path, &st) < 0 && errno == ENOENT)
        return 0;
    if (cfs_traced_mount(trace, path, path, NULL, MS_BIND | MS_REC, NULL) < 0
        || cfs_traced_mount(trace, path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked,
                            NULL)
               < 0)
        return -1;
    return 0;
}

/* Masked: an empty read-only tmpfs over a directory, dev/null over a file. */
static int
mask(int trace, const char *path)
{
    const unsigned long locked = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode))
        return cfs_traced_mount(trace, "tmpfs", path, "tmpfs", MS_RDONLY | locked, "size=0");
    return cfs_traced_mount(trace, "dev/null", path, NULL, MS_BIND, NULL);
}

/* An OCI config's own masked or read-only path: only under /proc or /sys,
 * which we just mounted, so that no symlink of the engine's root filesystem
 * can lead a mount out of it; relative to the new root, as ours are. */
static const char *
kernel_path(const char *path)
{
    const char *rel = path + strspn(path, "/");

    if ((strncmp(rel, "proc/", 5) == 0 || strncmp(rel, "sys/", 4) == 0)
        && strstr(rel, "..") == NULL)
        return rel;
    errno = EINVAL;
    return NULL;
}

int
cfs_protect_kernel_files(const args_t *args, cfs_error_t *err)
{
    static const char *const read_only[] = {
        "proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
    };
    static const char *const masked[] = {
        "proc/acpi",        "proc/asound",        "proc/interrupts", "proc/kcore",
        "proc/keys",        "proc/latency_stats", "proc/timer_list", "proc/timer_stats",
        "proc/sched_debug", "proc/scsi",          "sys/firmware",    "sys/devices/virtual/powercap",
    };
    const int trace = args->trace;

    if (args->privileged)
        return 0;
    cfs_pause(args, CFS_PAUSE_KERNEL_FILES);
    for (size_t i = 0; i < sizeof read_only / sizeof read_only[0]; i++)
        if (make_read_only(trace, read_only[i]) < 0)
            return cfs_fail(err, CFS_STEP_KERNEL_FILES, read_only[i]);
    for (int i = 0; i < args->nreadonly_paths; i++) {
        const char *path = kernel_path(args->readonly_paths[i]);
        if (path == NULL || make_read_only(trace, path) < 0)
            return cfs_fail(err, CFS_STEP_KERNEL_FILES, args->readonly_paths[i]);
    }
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++)
        if (mask(trace, masked[i]) < 0)
            return cfs_fail(err, CFS_STEP_KERNEL_FILES, masked[i]);
    for (int i = 0; i < args->nmasked_paths; i++) {
        const char *path = kernel_path(args->masked_paths[i]);
        if (path == NULL || mask(trace, path) < 0)
            return cfs_fail(err, CFS_STEP_KERNEL_FILES, args->masked_paths[i]);
    }
    return 0;
}

/* linux.sysctl: each parameter written under proc/sys, before it is made
 * read-only.  PATHS were made by cfs_prepare_sysctls. */
int
cfs_write_sysctls(const args_t *args, char *const *paths, cfs_error_t *err)
{
    for (int i = 0; i < args->nsysctls; i++) {
        const char *value = args->sysctl_values[i];
        size_t len = strlen(value);
        int fd = open(paths[i], O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0 || write(fd, value, len) != (ssize_t)len) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            errno = saved;
            return cfs_fail(err, CFS_STEP_SYSCTL, args->sysctl_keys[i]);
        }
        close(fd);
    }
    return 0;
}

/* Whether a sysctl belongs to a namespace the container has of its own
 * (runc's rule, libcontainer/configs/validate): IPC's kernel.msg*, shm* and
 * sem, fs.mqueue.*, and net.* in a network namespace of its own.  One
 * joined by path is its own unless it is ours: joining the host's would
 * write the host's value, as runc refuses ("sysctl not allowed in host
 * network namespace"). */
static int
is_namespaced(const args_t *args, const struct cfs_joined *joined, const char *key)
{
    static const char *const ipc[]
        = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };

    for (size_t i = 0; i < sizeof ipc / sizeof ipc[0]; i++)
        if (strcmp(key, ipc[i]) == 0)
            return !cfs_namespace_is_ours(joined, "ipc");
    if (strncmp(key, "fs.mqueue.", 10) == 0)
        return !cfs_namespace_is_ours(joined, "ipc");
    return strncmp(key, "net.", 4) == 0 && args->network != CFS_NETWORK_HOST
           && !cfs_namespace_is_ours(joined, "network");
}

char **
cfs_prepare_sysctls(const args_t *args, const struct cfs_joined *joined, cfs_error_t *err)
{
    char **paths = calloc((size_t)args->nsysctls + 1, sizeof *paths);

    if (paths == NULL) {
        cfs_fail(err, CFS_STEP_SYSCTL, "");
        return NULL;
    }
    for (int i = 0; i < args->nsysctls; i++) {
        const char *key = args->sysctl_keys[i];
        size_t len = strlen(key);

        if (!is_namespaced(args, joined, key) || strstr(key, "..") != NULL
            || strchr(key, '/') != NULL || (paths[i] = malloc(len + sizeof "proc/sys/")) == NULL) {
            if (paths[i] == NULL && errno != ENOMEM)
                errno = EPERM;
            cfs_fail(err, CFS_STEP_SYSCTL, key);
            cfs_free_sysctls(paths, args->nsysctls);
            return NULL;
        }
        memcpy(paths[i], "proc/sys/", 9);
        for (size_t c = 0; c <= len; c++)
            paths[i][9 + c] = key[c] == '.' ? '/' : key[c];
    }
    return paths;
}

void
cfs_free_sysctls(char **paths, int n)
{
    for (int i = 0; paths != NULL && i < n; i++)
        free(paths[i]);
    free(paths);
}

static int
is_symlink(int dir, const char *name)
{
    struct stat st;
    int saved = errno, r = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);

    errno = saved;
    return r;
}

/* Whether a name of path is "..": before the pivot, the root's ".." is the
 * host directory it sits in, and openat(2) climbs it whatever O_NOFOLLOW
 * says, so an OCI mount on /../../etc/nologin would make that file on the
 * host.  Refused, not cleaned: the caller sees the path it gave. */
static int
climbs(const char *path)
{
    for (const char *p = path; *p != '\0'; p += strcspn(p, "/")) {
        p += strspn(p, "/");
        if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
            return 1;
    }
    return 0;
}

int
cfs_open_parent(const char *path, char name[NAME_MAX + 1])
{
    int dir, next;
    const char *p = path + strspn(path, "/");

    name[0] = '\0';
    if (climbs(p)) {
        errno = EINVAL;
        return -1;
    }
    dir = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    while (dir >= 0 && *p != '\0') {
        size_t len = strcspn(p, "/");

        if (len > NAME_MAX) {
            close(dir);
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        p += len + strspn(p + len, "/");
        if (*p == '\0')
            break; /* the last component: the caller's */
        if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST) {
            int saved = errno; /* EROFS: a missing target on a --read-only root */
            close(dir);
            errno = saved;
            return -1;
        }
        next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOTDIR) /* a symlink, or a file such as dev/null */
            errno = is_symlink(dir, name) ? ELOOP : ENOTDIR;
        close(dir);
        dir = next;
    }
    return dir;
}

/* Makes the directories of `path` (relative to the new root, the current
 * directory) that are missing, and its last component as a directory or an
 * empty file, none through a symlink (cfs_open_parent), as for proc, dev
 * and sys. */
static int
make_target(const char *path, int directory)
{
    char name[NAME_MAX + 1];
    int dir = cfs_open_parent(path, name), last;

    if (dir < 0)
        return -1;
    if (name[0] == '\0') { /* the root itself */
        close(dir);
        return 0;
    }
    if (directory) {
        if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST) {
            int saved = errno;
            close(dir);
            errno = saved;
            return -1;
        }
        last = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (last < 0 && errno == ENOTDIR)
            errno = is_symlink(dir, name) ? ELOOP : ENOTDIR;
    } else {
        /* O_NONBLOCK: a FIFO there fails (ENXIO) rather than wait for a reader. */
        last = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
        if (last < 0 && errno == EISDIR)
            last = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    close(dir);
    if (last < 0)
        return -1;
    close(last);
    return 0;
}

/* "/proc/self/fd/N", the path mount(2) binds an open file from: the host's
 * /proc, since we have not pivoted yet (TMPDIR is never /proc or below it). */
static void
fd_path(char *buf, int fd)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0;

    do
        digits[n++] = (char)('0' + fd % 10);
    while ((fd /= 10) > 0);
    memcpy(buf, prefix, sizeof prefix - 1);
    buf += sizeof prefix - 1;
    while (n > 0)
        *buf++ = digits[--n];
    *buf = '\0';
}

/* OCI's cgroup mount on /sys/fs/cgroup: the container's own cgroup and
 * nothing of the host's, read-only, as runc binds it on a v1 host.  On
 * cgroup v2 its one directory is bound there; on v1, a tmpfs holds one
 * directory per hierarchy it has a cgroup in, each its cgroup bound there.
 * Then the whole tree is made read-only, nosuid, nodev and noexec
 * (mount_tree.c): root inside may read its limits, not change them.  The
 * sources are the host's paths, made by the parent (cgroup.c): we have not
 * pivoted yet. */
static int
mount_own_cgroup(const args_t *args, const char *target, const struct cfs_cgroup *cgroup)
{
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    char path[PATH_MAX];

    if (make_target(target, 1) < 0)
        return -1;
    if (cgroup->version == 2) {
        if (cfs_traced_mount(args->trace, cgroup->dirs[0], target, NULL, MS_BIND, NULL) < 0)
            return -1;
    } else {
        if (cfs_traced_mount(args->trace, "tmpfs", target, "tmpfs", flags, "mode=755") < 0)
            return -1;
        for (int i = 0; i < cgroup->count; i++) {
            size_t t = strlen(target), n = strlen(cgroup->names[i]);

            if (t + 1 + n >= sizeof path) { /* no snprintf here: system calls only */
                errno = ENAMETOOLONG;
                return -1;
            }
            memcpy(path, target, t);
            path[t] = '/';
            memcpy(path + t + 1, cgroup->names[i], n + 1);
            if (cfs_traced_mkdir(args->trace, path, 0755) < 0
                || cfs_traced_mount(args->trace, cgroup->dirs[i], path, NULL, MS_BIND, NULL) < 0)
                return -1;
        }
    }
    return cfs_restrict_mount_tree(args->trace, target, MS_RDONLY | flags);
}

/* -v and --tmpfs, from the sources opened before the overlay; each target
 * is made, in WRITEDIR, as docker run makes it in the container's layer.
 * Paths are relative to the new root (the current directory), so "/data" is
 * mounted on "data". */
int
cfs_mount_volumes(const args_t *args, const int *sources, const struct cfs_cgroup *cgroup,
                  cfs_error_t *err)
{
    const unsigned long tmpfs_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    for (int i = 0; i < args->nmounts; i++) {
        const struct cfs_mount *m = &args->mounts[i];
        const char *target = m->target + strspn(m->target, "/");
        char source[32];
        struct stat st;

        if (m->cgroup) {
            if (mount_own_cgroup(args, target, cgroup) < 0)
                return cfs_fail(err, CFS_STEP_MOUNTS, m->target);
            continue;
        }
        if (m->source == NULL) {
            if (make_target(target, 1) < 0
                || cfs_traced_mount(args->trace, "tmpfs", target, "tmpfs", tmpfs_flags,
                                    m->tmpfs_options)
                       < 0)
                return cfs_fail(err, CFS_STEP_MOUNTS, m->target);
            continue;
        }
        if (fstat(sources[i], &st) < 0)
            return cfs_fail(err, CFS_STEP_MOUNTS, m->source);
        fd_path(source, sources[i]);
        /* A bind takes its flags only afterwards, and :ro and nodev must
         * hold on every submount the bind brought along (mount_tree.c):
         * -v /:/host:ro would leave the host's /dev/shm writable, and a
         * device node of the host's /dev open.  Without CAP_SYS_ADMIN, root
         * inside cannot undo either; --privileged keeps device nodes. */
        if (make_target(target, S_ISDIR(st.st_mode)) < 0
            || cfs_traced_mount(args->trace, source, target, NULL, MS_BIND | MS_REC, NULL) < 0
            || cfs_restrict_mount_tree(
                   args->trace, target,
                   (m->read_only ? MS_RDONLY : 0) | (!args->privileged ? MS_NODEV : 0)
                       | (m->nosuid ? MS_NOSUID : 0) | (m->noexec ? MS_NOEXEC : 0))
                   < 0)
            return cfs_fail(err, CFS_STEP_MOUNTS, m->target);
    }
    return 0;
}

/* chroot(2) only changes how paths resolve for this process: a root process
 * can chroot again into a subdirectory and walk ".." out, and the old root
 * stays mounted.  pivot_root(2) moves the old root away; stacking both on
 * "." and detaching the top one removes the host's tree from the namespace
 * altogether (pivot_root(2), "pivot_root(".", ".")"). */
int
cfs_pivot_into_root(const args_t *args, cfs_error_t *err)
{
    cfs_pause(args, CFS_PAUSE_PIVOT);
    if (cfs_traced_pivot_root(args->trace, ".", ".") < 0)
        return cfs_fail(err, CFS_STEP_PIVOT, ".");
    cfs_pause(args, CFS_PAUSE_OLD_ROOT);
    if (cfs_traced_umount2(args->trace, ".", MNT_DETACH) < 0)
        return cfs_fail(err, CFS_STEP_PIVOT, ".");
    if (cfs_traced_chdir(args->trace, "/") < 0)
        return cfs_fail(err, CFS_STEP_PIVOT, "/");
    return 0;
}

/* -w: the command's directory, made if missing, as docker run does.  After
 * pivot_root: a symlink on the way can only lead within the container. */
int
cfs_enter_cwd(const args_t *args, cfs_error_t *err)
{
    char path[PATH_MAX];
    size_t len;

    if (args->cwd == NULL)
        return 0;
    len = strlen(args->cwd);
    if (len >= sizeof path) {
        errno = ENAMETOOLONG;
        return cfs_fail(err, CFS_STEP_CWD, args->cwd);
    }
    memcpy(path, args->cwd, len + 1);
    for (char *slash = path + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    mkdir(path, 0755);
    if (cfs_traced_chdir(args->trace, args->cwd) < 0)
        return cfs_fail(err, CFS_STEP_CWD, args->cwd);
    return 0;
}
