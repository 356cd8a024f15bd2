/* Rootless (issue 26): run by an ordinary user, the container is cloned
 * into a user namespace of its own as well (user_namespaces(7)), in which
 * the user is root: the other namespaces and every mount are then owned by
 * it, so the child may make them without any privilege on the host.
 *
 * Its ids are mapped by the parent once it exists: 0 inside is the user,
 * and 1..N the user's range of /etc/subuid and /etc/subgid, through the
 * setuid helpers newuidmap(1) and newgidmap(1) of the uidmap package, as
 * podman does; without a range (or the helpers) the user alone, written
 * straight into /proc/PID/uid_map, which the kernel allows for one's own id
 * only, and for gid_map only once setgroups is "deny".  The child waits for
 * its map before anything else: until then it is nobody (the overflow id).
 *
 * What needs root on the host whatever the namespace (root's cgroups, where
 * none is delegated to the user; host devices; the host's network) is
 * refused here, before anything is made, in one line. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "network.h"
#include "userns.h"

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

/* ---- the parent, before clone ---- */

/* The first range of NAME (or of the uid in decimal) in FILE, a list of
 * "name:start:count" lines (subuid(5)); 0 when there is none. */
static int
find_range(const char *file, const char *name, unsigned int id, unsigned long *base,
           unsigned long *count)
{
    char line[512], number[16];
    FILE *f = fopen(file, "re");

    *base = *count = 0;
    if (f == NULL)
        return 0;
    snprintf(number, sizeof number, "%u", id);
    while (fgets(line, sizeof line, f) != NULL) {
        char *first = strtok(line, ":\n"), *start = strtok(NULL, ":\n"),
             *length = strtok(NULL, ":\n");

        if (first == NULL || start == NULL || length == NULL
            || (strcmp(first, name) != 0 && strcmp(first, number) != 0))
            continue;
        *base = strtoul(start, NULL, 10);
        *count = strtoul(length, NULL, 10);
        if (*count > 0)
            break;
    }
    fclose(f);
    return *count > 0;
}

/* The login name of UID from /etc/passwd into name, or "" (not getpwuid(3):
 * its NSS modules cannot be loaded by the static plain C front end). */
static void
user_name(unsigned int uid, char *name, size_t size)
{
    char line[1024];
    FILE *f = fopen("/etc/passwd", "re");

    name[0] = '\0';
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *login = strtok(line, ":"), *password = strtok(NULL, ":"), *id = strtok(NULL, ":");

        if (login != NULL && password != NULL && id != NULL && strtoul(id, NULL, 10) == uid) {
            snprintf(name, size, "%s", login);
            break;
        }
    }
    if (f != NULL)
        fclose(f);
}

/* One line of what the single-id map cannot do, once per run. */
static void
warn_single_id(const char *name)
{
    dprintf(2,
            "container-fs: no range for %s in /etc/subuid and /etc/subgid (or no newuidmap and "
            "newgidmap: the uidmap package): the container maps your own id alone to root, so "
            "files owned by other ids show as nobody and no other user can be used inside\n",
            name);
}

/* Refuses the run with one line, the option named in path. */
static int
refuse(cfs_error_t *err, const char *option, const char *line)
{
    cfs_set_error(err, CFS_STEP_ROOTLESS, option, EPERM);
    snprintf(err->detail, sizeof err->detail, "%s", line);
    return -1;
}

/* What a user namespace cannot give: each in one line, exit 125. */
static int
refuse_root_only(const args_t *args, const struct cfs_userns *ns, cfs_error_t *err)
{
    char why[sizeof err->detail / 2], line[sizeof err->detail];

    if ((cfs_cgroup_limited(args) || args->memory_swap != 0 || args->stats)
        && !cfs_cgroup_delegated(args, why, sizeof why)) {
        snprintf(line, sizeof line,
                 "cgroup limits and --stats need root, or a cgroup v2 subtree delegated to the "
                 "user: %s; run it with sudo, in a delegated cgroup (systemd-run --user --scope "
                 "-p Delegate=yes), or without the limits",
                 why);
        return refuse(err,
                      args->memory > 0         ? "--memory"
                      : args->memory_swap != 0 ? "--memory-swap"
                      : args->pids_limit > 0   ? "--pids-limit"
                      : args->cpu_quota > 0    ? "--cpus"
                      : args->cpu_shares > 0   ? "--cpu-shares"
                                               : "--stats",
                      line);
    }
    if (args->ndevices > 0)
        return refuse(err, "--device",
                      "--device needs root: a host device in the container needs root's "
                      "cgroup device rules; run it with sudo");
    if (args->network == CFS_NETWORK_HOST || args->network == CFS_NETWORK_JOIN)
        return refuse(err, "--network",
                      "--network host needs root: without it the container's /sys is the "
                      "host's network namespace's; use --network private (the default) or none, "
                      "or run it with sudo");
    /* slirp4netns opens it as the user; udev makes it crw-rw-rw-, but not every
     * machine runs udev (a VM's or a container's /dev may keep it 0600). */
    if (args->network == CFS_NETWORK_PRIVATE && access("/dev/net/tun", R_OK | W_OK) < 0)
        return refuse(err, "--network",
                      "--network private needs /dev/net/tun open to the user (crw-rw-rw-, as udev "
                      "makes it), for slirp4netns; it is not here: use --network none, or ask "
                      "root to chmod 666 /dev/net/tun");
    if (args->exec_fifo != NULL || args->oci_id != NULL)
        return refuse(err, "create",
                      "the OCI runtime needs root, or an engine's user namespace (rootless "
                      "podman runs it in its own, docs/OCI.md): run it with sudo, or from the "
                      "engine");
    if (args->user && !ns->ranges && (args->uid != 0 || args->gid != 0 || args->ngroups > 0))
        return refuse(err, "-u",
                      "-u needs ids beyond your own inside: add a range for this user to "
                      "/etc/subuid and /etc/subgid (usermod --add-subuids and --add-subgids) "
                      "and install newuidmap (the uidmap package)");
    return 0;
}

int
cfs_userns_is_joined(void)
{
    unsigned long inside = 0, outside = 0, count = 0;
    char extra[2];
    FILE *f = fopen("/proc/self/uid_map", "re");
    int lines = 0, identity = 0;

    if (f == NULL)
        return 0; /* no /proc (before it is mounted): the initial namespace's view */
    while (fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
        lines++;
        identity = inside == 0 && outside == 0 && count == 4294967295UL;
    }
    if (fscanf(f, "%1s", extra) == 1)
        lines++; /* a line we cannot read: not the identity */
    fclose(f);
    return geteuid() == 0 && !(lines == 1 && identity);
}

/* What root of an engine's user namespace cannot give, in one line: cgroup
 * limits (its cgroups are the real root's; runc and crun rootless skip the
 * cgroup too when none is asked for) and host devices. */
static int
refuse_in_joined(const args_t *args, cfs_error_t *err)
{
    const int oci = args->oci_id != NULL;

    if (cfs_cgroup_limited(args) || args->memory_swap != 0 || args->stats)
        return refuse(err, oci ? "linux.resources" : "--memory",
                      "cgroup limits need root's cgroups: in a user namespace another program "
                      "made (a rootless engine's) container-fs makes no cgroup; run it as root, "
                      "or without the limits");
    if (args->ndevices > 0)
        return refuse(err, oci ? "linux.devices" : "--device",
                      "a host device needs root's cgroup device rules, which a user namespace "
                      "another program made (a rootless engine's) does not give; run it as root");
    if (args->host_pid_namespace)
        return refuse(
            err, "linux.namespaces",
            "the host's pid namespace (linux.namespaces without pid) needs root: in a "
            "user namespace another program made (a rootless engine's) the container "
            "may not mount its /proc; run it as root, or with a pid namespace of its own");
    return 0;
}

/* Not root: the user's ids, and whether both ranges and both helpers are
 * there (ns->ranges); the user's login name in name. */
static void
find_ranges(struct cfs_userns *ns, char *name, size_t size)
{
    memset(ns, 0, sizeof *ns);
    ns->mapped[0] = ns->mapped[1] = -1;
    if (geteuid() == 0) {
        ns->joined = cfs_userns_is_joined();
        return;
    }
    ns->active = 1;
    ns->uid = geteuid();
    ns->gid = getegid();
    user_name(ns->uid, name, size);
    ns->ranges = find_range("/etc/subuid", name, ns->uid, &ns->uid_base, &ns->uid_count)
                 && find_range("/etc/subgid", name, ns->uid, &ns->gid_base, &ns->gid_count)
                 && cfs_find_in_path("newuidmap", ns->uid_helper, sizeof ns->uid_helper) == 0
                 && cfs_find_in_path("newgidmap", ns->gid_helper, sizeof ns->gid_helper) == 0;
}

int
cfs_userns_has_ranges(void)
{
    struct cfs_userns ns;
    char name[256];

    find_ranges(&ns, name, sizeof name);
    return ns.ranges;
}

int
cfs_userns_prepare(const args_t *args, struct cfs_userns *ns, cfs_error_t *err)
{
    char name[256];

    find_ranges(ns, name, sizeof name);
    if (ns->joined && refuse_in_joined(args, err) < 0)
        return -1;
    if (args->uid_map != NULL && args->host_pid_namespace)
        return refuse(err, "linux.namespaces",
                      "a user namespace of the container's own needs a pid namespace of its own: "
                      "it may not mount the host's /proc; list pid in linux.namespaces, or leave "
                      "the user namespace out");
    if (!ns->active && args->uid_map != NULL && args->gid_map != NULL) {
        ns->uid_map = args->uid_map; /* root of ours: maps of any ids ours holds (below) */
        ns->gid_map = args->gid_map;
        return pipe2(ns->mapped, O_CLOEXEC) < 0 ? cfs_fail(err, CFS_STEP_ID_MAP, "") : 0;
    }
    if (!ns->active)
        return 0;
    if (refuse_root_only(args, ns, err) < 0)
        return -1;
    if (!ns->ranges)
        warn_single_id(name[0] != '\0' ? name : "this user");
    if (pipe2(ns->mapped, O_CLOEXEC) < 0)
        return cfs_fail(err, CFS_STEP_ID_MAP, "");
    return 0;
}

/* Whether the map holds ID: the user's own, or one of the range's. */
static int
in_map(unsigned int id, unsigned int own, int ranges, unsigned long base, unsigned long count)
{
    return id == own || (ranges && id >= base && id - base < count);
}

/* nftw(3) passes no argument to its callback: the map and the first file
 * outside it are here, for the one walk at a time the parent makes. */
static const struct cfs_userns *walked_ns;
static cfs_error_t *walked_err;

static int
check_owner(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    const struct cfs_userns *ns = walked_ns;
    const int uid_ok = in_map(st->st_uid, ns->uid, ns->ranges, ns->uid_base, ns->uid_count);
    const char *kind = uid_ok ? "gid" : "uid";

    (void)ftw;
    if (type == FTW_NS
        || (uid_ok && in_map(st->st_gid, ns->gid, ns->ranges, ns->gid_base, ns->gid_count)))
        return 0;
    cfs_set_error(walked_err, CFS_STEP_ROOTLESS, path, EOVERFLOW);
    snprintf(walked_err->detail, sizeof walked_err->detail,
             "`%s` is owned by %s %u, which the container's user namespace does not map (your "
             "id%s): a layer run without root must be yours, as pull run by you extracts it; "
             "chown it, or run it with sudo",
             path, kind, uid_ok ? (unsigned int)st->st_gid : (unsigned int)st->st_uid,
             ns->ranges ? " and your range of /etc/subuid and /etc/subgid" : " alone");
    return 1;
}

int
cfs_userns_check_layers(const struct cfs_userns *ns, char *const *lowers, int nlowers,
                        const char *upper, cfs_error_t *err)
{
    if (!ns->active)
        return 0;
    walked_ns = ns;
    walked_err = err;
    for (int i = 0; i <= nlowers; i++) {
        const char *layer = i < nlowers ? lowers[i] : upper;

        int r = layer != NULL ? nftw(layer, check_owner, 16, FTW_PHYS | FTW_MOUNT) : 0;

        if (r < 0)
            return cfs_fail(err, CFS_STEP_LAYERS, layer);
        if (r > 0)
            return -1;
    }
    return 0;
}

int
cfs_userns_clone_flag(const struct cfs_userns *ns)
{
    return ns->active || ns->uid_map != NULL ? CLONE_NEWUSER : 0;
}

/* ---- the parent, after clone ---- */

/* newuidmap PID 0 ID 1 1 BASE COUNT: 0 inside is the user, 1..COUNT the range. */
static int
run_helper(const char *helper, pid_t child, unsigned int id, unsigned long base,
           unsigned long count, cfs_error_t *err)
{
    char pid[16], own[16], first[24], length[24];
    char *const argv[] = { (char *)helper, pid, "0", own, "1", "1", first, length, NULL };
    char *const envp[] = { NULL };
    int status = 0, e;
    pid_t p;

    snprintf(pid, sizeof pid, "%ld", (long)child);
    snprintf(own, sizeof own, "%u", id);
    snprintf(first, sizeof first, "%lu", base);
    snprintf(length, sizeof length, "%lu", count);
    e = posix_spawn(&p, helper, NULL, NULL, argv, envp);
    if (e != 0) {
        errno = e;
        return cfs_fail(err, CFS_STEP_ID_MAP, helper);
    }
    while (waitpid(p, &status, 0) < 0)
        if (errno != EINTR)
            return cfs_fail(err, CFS_STEP_ID_MAP, helper);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        cfs_set_error(err, CFS_STEP_ID_MAP, helper, EPERM);
        return -1;
    }
    return 0;
}

/* Writes TEXT into /proc/PID/FILE. */
static int
write_proc(pid_t child, const char *file, const char *text, cfs_error_t *err)
{
    char path[64];
    int fd;

    snprintf(path, sizeof path, "/proc/%ld/%s", (long)child, file);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        cfs_fail(err, CFS_STEP_ID_MAP, path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* The user alone: "0 UID 1".  An unprivileged writer may map only its own
 * id, and gid_map only after setgroups is "deny" (user_namespaces(7), "The
 * /proc/[pid]/setgroups file"): setgroups(2) inside is refused for good. */
static int
map_single_id(const struct cfs_userns *ns, pid_t child, cfs_error_t *err)
{
    char line[32];

    snprintf(line, sizeof line, "0 %u 1\n", ns->uid);
    if (write_proc(child, "uid_map", line, err) < 0
        || write_proc(child, "setgroups", "deny", err) < 0)
        return -1;
    snprintf(line, sizeof line, "0 %u 1\n", ns->gid);
    return write_proc(child, "gid_map", line, err);
}

int
cfs_userns_map(struct cfs_userns *ns, pid_t child, cfs_error_t *err)
{
    const char go = 1;
    int result;

    if (!ns->active && ns->uid_map == NULL)
        return 0;
    /* A bundle's maps: root of the namespace we are in (CAP_SETUID and
     * CAP_SETGID there) may map any of its ids, in as many lines as it likes,
     * and gid_map with setgroups allowed (user_namespaces(7)). */
    if (ns->uid_map != NULL)
        result = write_proc(child, "uid_map", ns->uid_map, err) < 0
                         || write_proc(child, "gid_map", ns->gid_map, err) < 0
                     ? -1
                     : 0;
    else if (ns->ranges)
        result = run_helper(ns->uid_helper, child, ns->uid, ns->uid_base, ns->uid_count, err) < 0
                         || run_helper(ns->gid_helper, child, ns->gid, ns->gid_base, ns->gid_count,
                                       err)
                                < 0
                     ? -1
                     : 0;
    else
        result = map_single_id(ns, child, err);
    if (result == 0 && write(ns->mapped[1], &go, 1) != 1)
        result = cfs_fail(err, CFS_STEP_ID_MAP, "");
    cfs_userns_close(ns); /* the child's copies are its own: end of file on failure */
    return result;
}

void
cfs_userns_close(struct cfs_userns *ns)
{
    for (int i = 0; i < 2; i++) {
        if (ns->mapped[i] >= 0)
            close(ns->mapped[i]);
        ns->mapped[i] = -1;
    }
}

/* ---- the child ---- */

/* Nothing before the map: until then we are the overflow id, and the
 * kernel refuses every mount.  End of file: the parent could not map us,
 * and says why itself. */
int
cfs_userns_wait(struct cfs_userns *ns, cfs_error_t *err)
{
    char byte;
    ssize_t n;

    if (!ns->active && ns->uid_map == NULL)
        return 0;
    close(ns->mapped[1]);
    ns->mapped[1] = -1;
    while ((n = read(ns->mapped[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    close(ns->mapped[0]);
    ns->mapped[0] = -1;
    if (n != 1) {
        errno = n == 0 ? ECHILD : errno;
        return cfs_fail(err, CFS_STEP_ID_MAP, "");
    }
    /* A bundle's namespace: we are still the ids we were cloned with, which
     * its map may not hold (real root's 0 under podman --uidmap, the user
     * under --userns=keep-id); become its root, as runc does.  The system
     * calls themselves: glibc's wrappers would change the ids of every
     * thread of the process whose memory we share (CLONE_VM). */
    if (ns->uid_map != NULL
        && (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0))
        return cfs_fail(err, CFS_STEP_ID_MAP, "setresuid 0");
    return 0;
}

/* ---- pull: the image's owners, from a user namespace of its own ---- */

/* nftw(3)'s callback for remove_tree: bottom up, never following a link. */
static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

/* The tree under ROOT, ROOT included: in the user namespace, where the
 * range's ids are ours, as the user alone they are not. */
static void
remove_tree(const char *root)
{
    (void)nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* The child of cfs_userns_own_tree, in its new user namespace once mapped:
 * each file's owner, then its mode again (chown(2) clears the set-user-ID
 * and set-group-ID bits).  On failure the tree is removed and the error
 * written to REPORT. */
static void
own_files(const struct cfs_own_tree *tree, int report)
{
    cfs_error_t err;
    int root = open(tree->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    memset(&err, 0, sizeof err);
    for (int i = 0; root >= 0 && i < tree->n; i++) {
        const char *file = tree->paths[i];

        if (fchownat(root, file, (uid_t)tree->uids[i], (gid_t)tree->gids[i],
                     AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)
                < 0
            || (tree->modes[i] >= 0 && fchmodat(root, file, (mode_t)tree->modes[i], 0) < 0)) {
            int e = errno;

            cfs_set_error(&err, CFS_STEP_ROOTLESS, file, e);
            snprintf(err.detail, sizeof err.detail,
                     "cannot give `%s` the archive's owner %d:%d in your user namespace: %s%s",
                     file, tree->uids[i], tree->gids[i], strerror(e),
                     e == EINVAL ? " (an id beyond your range of /etc/subuid and /etc/subgid: "
                                   "give this user a larger one, or pull with sudo)"
                                 : "");
            break;
        }
    }
    if (root < 0)
        cfs_fail(&err, CFS_STEP_ROOTLESS, tree->root);
    if (err.step == CFS_STEP_NONE)
        _exit(0);
    remove_tree(tree->root);
    if (write(report, &err, sizeof err) < 0)
        _exit(2);
    _exit(1);
}

int
cfs_userns_own_tree(const struct cfs_own_tree *tree, cfs_error_t *err)
{
    struct cfs_userns ns;
    char name[256], byte;
    int ready[2] = { -1, -1 }, report[2] = { -1, -1 }, status = 0, result = -1;
    pid_t pid = -1;
    ssize_t n;

    memset(err, 0, sizeof *err);
    find_ranges(&ns, name, sizeof name);
    if (!ns.ranges)
        return 1;
    if (pipe2(ns.mapped, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0
        || pipe2(report, O_CLOEXEC) < 0) {
        cfs_fail(err, CFS_STEP_ID_MAP, "");
        goto out;
    }
    /* A fork, not a thread of the JVM: unshare(CLONE_NEWUSER) wants a
     * single-threaded caller. */
    pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(report[0]);
        if (unshare(CLONE_NEWUSER) < 0 || write(ready[1], "r", 1) != 1)
            _exit(3);
        if (cfs_userns_wait(&ns, err) < 0)
            _exit(3);
        own_files(tree, report[1]);
    }
    if (pid < 0) {
        cfs_fail(err, CFS_STEP_ID_MAP, "");
        goto out;
    }
    close(ready[1]);
    ready[1] = -1;
    close(report[1]);
    report[1] = -1;
    while ((n = read(ready[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n != 1) {
        errno = ECHILD;
        cfs_fail(err, CFS_STEP_ID_MAP, "");
        goto out;
    }
    if (cfs_userns_map(&ns, pid, err) < 0)
        goto out;
    while ((n = read(report[0], err, sizeof *err)) < 0 && errno == EINTR) {
    }
    result = n == (ssize_t)sizeof *err ? -1 : 0;
out:
    if (pid > 0) {
        if (result < 0 && err->step == CFS_STEP_ID_MAP)
            kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (result == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            errno = ECHILD;
            result = cfs_fail(err, CFS_STEP_ID_MAP, "");
        }
    }
    for (int i = 0; i < 2; i++) {
        if (ready[i] >= 0)
            close(ready[i]);
        if (report[i] >= 0)
            close(report[i]);
    }
    cfs_userns_close(&ns);
    return result;
}
