/* One cgroup per container, for its device rules (devices.c), --memory,
 * --memory-swap, --pids-limit, --cpus, --cpu-shares and --stats (cgroups(7);
 * Documentation/admin-guide/cgroup-v1 and cgroup-v2.rst).  On a cgroup v2
 * host it is one directory under /sys/fs/cgroup; on a hybrid host (v1
 * controllers, an empty cgroup2) one directory in each v1 hierarchy it
 * needs, as runc's cgroupfs driver makes them.  The owner holds an flock(2)
 * on each directory it made for the life of the container, so a run can
 * tell, whatever PID namespace either is in, what a killed one left: a
 * directory whose lock it can take. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cpu_weight.h"
#include "devices.h"
#include "directories.h"

#define ROOT "/sys/fs/cgroup"
#define PREFIX "container-fs-"
/* An OCI container's: named after its id, not PREFIX, so no sweep takes it
 * while its owner, the state under --root, lives; delete removes it. */
#define OCI_PREFIX "container-fs.oci-"
#define SERIAL_LOCK "/run/container-fs/cgroups.lock"
/* Where an ordinary user's shell and front end go, in its delegated cgroup,
 * so that its containers' cgroups may have controllers (move_to_leaf). */
#define LEAF "container-fs.leaf"
#define CPU_PERIOD_US 100000
#define MIB (1024.0 * 1024.0)

/* DIR/NAME into a PATH_MAX buffer; -1 with ENAMETOOLONG if it does not fit. */
static int
join_path(char *out, const char *dir, const char *name)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* As `echo VALUE > DIR/FILE`; errno is kept. */
static int
write_file(const char *dir, const char *file, const char *value)
{
    char path[PATH_MAX];
    int fd, saved;
    ssize_t n;

    if (join_path(path, dir, file) < 0 || (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return -1;
    n = write(fd, value, strlen(value));
    saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}

static int
write_number(const char *dir, const char *file, long long value)
{
    char text[32];

    snprintf(text, sizeof text, "%lld", value);
    return write_file(dir, file, text);
}

/* The number after KEY on its line ("oom_kill 1"), or the file's first
 * number when KEY is NULL; -1 when the file or the key is missing. */
static long long
read_number(const char *dir, const char *file, const char *key)
{
    char path[PATH_MAX], text[4096];
    long long value = -1;
    ssize_t n;
    int fd;

    if (dir[0] == '\0')
        return -1;
    if (join_path(path, dir, file) < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    if (key == NULL)
        return strtoll(text, NULL, 10);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        size_t k = strlen(key);
        if (strncmp(line, key, k) == 0 && line[k] == ' ')
            value = strtoll(line + k + 1, NULL, 10);
    }
    return value;
}

/* Send SIG to every process listed in DIR/cgroup.procs. */
static void
signal_listed(const char *dir, int sig)
{
    char path[PATH_MAX];
    FILE *procs;
    int pid;

    if (join_path(path, dir, "cgroup.procs") < 0 || (procs = fopen(path, "re")) == NULL)
        return;
    while (fscanf(procs, "%d", &pid) == 1)
        kill(pid, sig);
    fclose(procs);
}

/* Every process in it killed first (cgroup.kill on v2 since Linux 5.14,
 * else one by one), then rmdir, retried for up to a second while the kernel
 * finishes with the dead. */
static void
remove_dir(const char *dir)
{
    const struct timespec pause = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };

    if (write_file(dir, "cgroup.kill", "1") < 0)
        signal_listed(dir, SIGKILL);
    for (int i = 0; i < 100; i++) {
        if (rmdir(dir) == 0 || errno != EBUSY)
            return;
        signal_listed(dir, SIGKILL);
        nanosleep(&pause, NULL);
    }
}

/* What runs killed with SIGKILL (so before they could clean up) left: a
 * directory of ours whose lock nobody holds.  Not a pid in its name: a
 * run in another PID namespace has pids this one cannot look up, and a
 * container whose owner lives must never be killed. */
static void
sweep(const char *hierarchy)
{
    char path[PATH_MAX];
    struct dirent *e;
    DIR *dir = opendir(hierarchy);

    if (dir == NULL)
        return;
    while ((e = readdir(dir)) != NULL) {
        int lock;

        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0
            || join_path(path, hierarchy, e->d_name) < 0 || (lock = cfs_lock_directory(path)) < 0)
            continue;
        remove_dir(path);
        close(lock);
    }
    closedir(dir);
}

/* Every hierarchy a container of ours may have a directory in, whichever
 * this run needs: a leftover is swept by the next run with any limit. */
static void
sweep_all(void)
{
    static const char *const hierarchies[] = {
        ROOT, ROOT "/memory", ROOT "/pids", ROOT "/cpu", ROOT "/cpuacct", ROOT "/devices",
    };
    char real[PATH_MAX];

    for (size_t i = 0; i < sizeof hierarchies / sizeof hierarchies[0]; i++)
        if (realpath(hierarchies[i], real) != NULL)
            sweep(real);
}

int
cfs_cgroup_oci_name(const char *id, const char *cgroups_path, char *name, size_t size)
{
    const char *path = cgroups_path != NULL ? cgroups_path + strspn(cgroups_path, "/") : NULL;
    int n;

    /* Below the hierarchy's root, never out of it, never the root itself. */
    if (path != NULL
        && (path[0] == '\0' || strstr(path, "..") != NULL || strstr(path, "//") != NULL)) {
        errno = EINVAL;
        return -1;
    }
    n = path != NULL ? snprintf(name, size, "%s", path) : snprintf(name, size, OCI_PREFIX "%s", id);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Each directory an OCI container's cgroup may have, that exists: F(path, sig). */
static void
each_oci_dir(const char *id, const char *cgroups_path, int sig, void (*f)(const char *, int))
{
    static const char *const hierarchies[] = {
        ROOT, ROOT "/memory", ROOT "/pids", ROOT "/cpu", ROOT "/cpuacct", ROOT "/devices",
    };
    char real[PATH_MAX], path[PATH_MAX], name[PATH_MAX];
    struct stat st;

    if (cfs_cgroup_oci_name(id, cgroups_path, name, sizeof name) < 0)
        return;
    for (size_t i = 0; i < sizeof hierarchies / sizeof hierarchies[0]; i++)
        if (realpath(hierarchies[i], real) != NULL && join_path(path, real, name) == 0
            && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            f(path, sig);
}

static void
remove_oci_dir(const char *dir, int sig)
{
    (void)sig;
    remove_dir(dir);
}

void
cfs_cgroup_signal_oci(const char *id, const char *cgroups_path, int sig)
{
    each_oci_dir(id, cgroups_path, sig, signal_listed);
}

void
cfs_cgroup_remove_oci(const char *id, const char *cgroups_path)
{
    each_oci_dir(id, cgroups_path, 0, remove_oci_dir);
}

/* The directories of an OCI container's cgroup that exist, real paths, each
 * once (on a hybrid host cpu and cpuacct may be one hierarchy); their number. */
static int
oci_dirs(const char *id, const char *cgroups_path, char dirs[][PATH_MAX], int max)
{
    static const char *const hierarchies[] = {
        ROOT, ROOT "/memory", ROOT "/pids", ROOT "/cpu", ROOT "/cpuacct", ROOT "/devices",
    };
    char real[PATH_MAX], path[PATH_MAX], name[PATH_MAX];
    struct stat st;
    int n = 0;

    if (cfs_cgroup_oci_name(id, cgroups_path, name, sizeof name) < 0)
        return 0;
    for (size_t i = 0; i < sizeof hierarchies / sizeof hierarchies[0] && n < max; i++) {
        int seen = 0;
        if (realpath(hierarchies[i], real) == NULL || join_path(path, real, name) < 0
            || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        for (int j = 0; j < n; j++)
            seen |= strcmp(dirs[j], path) == 0;
        if (!seen)
            strcpy(dirs[n++], path);
    }
    return n;
}

int
cfs_cgroup_open_oci(const char *id, const char *cgroups_path, struct cfs_cgroup *cgroup,
                    cfs_error_t *err)
{
    char path[PATH_MAX];

    memset(cgroup, 0, sizeof *cgroup);
    cgroup->count = oci_dirs(id, cgroups_path, cgroup->dirs, CFS_CGROUP_DIRS);
    if (cgroup->count == 0) {
        errno = ENOENT;
        return cfs_fail(err, CFS_STEP_JOIN_CGROUP, cgroups_path != NULL ? cgroups_path : id);
    }
    for (int i = 0; i < cgroup->count; i++)
        cgroup->procs[i] = cgroup->locks[i] = -1;
    for (int i = 0; i < cgroup->count; i++) {
        if (join_path(path, cgroup->dirs[i], "cgroup.procs") < 0
            || (cgroup->procs[i] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
            return cfs_fail(err, CFS_STEP_JOIN_CGROUP, cgroup->dirs[i]);
    }
    return 0;
}

/* Every pid in DIR's cgroup.procs and those of the cgroups below it, not
 * yet in pids[0..n), up to max; the new n. */
static int
collect_pids(const char *dir, int *pids, int n, int max)
{
    char path[PATH_MAX];
    struct dirent *e;
    FILE *procs;
    DIR *d;
    int pid;

    if (join_path(path, dir, "cgroup.procs") == 0 && (procs = fopen(path, "re")) != NULL) {
        while (n < max && fscanf(procs, "%d", &pid) == 1) {
            int seen = 0;
            for (int i = 0; i < n && !seen; i++)
                seen = pids[i] == pid;
            if (!seen)
                pids[n++] = pid;
        }
        fclose(procs);
    }
    if ((d = opendir(dir)) == NULL)
        return n;
    while ((e = readdir(d)) != NULL)
        if (e->d_type == DT_DIR && e->d_name[0] != '.' && join_path(path, dir, e->d_name) == 0)
            n = collect_pids(path, pids, n, max);
    closedir(d);
    return n;
}

int
cfs_cgroup_pids_oci(const char *id, const char *cgroups_path, int *pids, int max)
{
    char dirs[CFS_CGROUP_DIRS][PATH_MAX];
    int count = oci_dirs(id, cgroups_path, dirs, CFS_CGROUP_DIRS), n = 0;

    for (int i = 0; i < count; i++)
        n = collect_pids(dirs[i], pids, n, max);
    return n;
}

void
cfs_cgroup_close(struct cfs_cgroup *cgroup)
{
    for (int i = 0; i < cgroup->count; i++) {
        if (cgroup->procs[i] >= 0)
            close(cgroup->procs[i]);
        if (cgroup->locks[i] >= 0)
            close(cgroup->locks[i]);
    }
    memset(cgroup, 0, sizeof *cgroup);
}

static int
is_filesystem(const char *path, long magic)
{
    struct statfs fs;

    return statfs(path, &fs) == 0 && fs.f_type == magic;
}

/* linux.cgroupsPath's parents below the hierarchy's root (the first FROM
 * bytes of PATH), made when missing and left: an engine's parent cgroup
 * (podman's libpod_parent) holds its other containers too. */
static int
make_parents(char *path, size_t from)
{
    for (char *slash = strchr(path + from + 1, '/'); slash != NULL;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int r = mkdir(path, 0755);
        *slash = '/';
        if (r < 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* Makes HIERARCHY/NAME, or finds it made already when two controllers share
 * a hierarchy (cpu,cpuacct), and opens its cgroup.procs for the child. */
static int
make_dir(struct cfs_cgroup *cg, const char *hierarchy, const char *name, char *dir,
         cfs_error_t *err)
{
    char real[PATH_MAX], path[PATH_MAX];

    if (realpath(hierarchy, real) == NULL)
        return cfs_fail(err, CFS_STEP_CGROUP, hierarchy);
    if (join_path(path, real, name) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, real);
    for (int i = 0; i < cg->count; i++)
        if (strcmp(cg->dirs[i], path) == 0) {
            strcpy(dir, path);
            return 0;
        }
    if (make_parents(path, strlen(real)) < 0 || mkdir(path, 0755) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, path);
    strcpy(cg->dirs[cg->count], path);
    snprintf(cg->names[cg->count], sizeof cg->names[0], "%s", strrchr(real, '/') + 1);
    cg->procs[cg->count] = -1;
    cg->locks[cg->count] = -1;
    cg->count++;
    /* Locked at once, under SERIAL_LOCK, so no sweep comes in between. */
    if ((cg->locks[cg->count - 1] = cfs_lock_directory(path)) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, path);
    strcpy(dir, path);
    if (join_path(path, dir, "cgroup.procs") < 0
        || (cg->procs[cg->count - 1] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, path);
    return 0;
}

/* A v1 controller's hierarchy, e.g. /sys/fs/cgroup/memory. */
static int
make_v1_dir(struct cfs_cgroup *cg, const char *controller, const char *name, char *dir,
            cfs_error_t *err)
{
    char hierarchy[PATH_MAX];

    snprintf(hierarchy, sizeof hierarchy, ROOT "/%s", controller);
    if (!is_filesystem(hierarchy, CGROUP_SUPER_MAGIC)) {
        errno = ENOENT;
        return cfs_fail(err, CFS_STEP_CGROUP, hierarchy);
    }
    return make_dir(cg, hierarchy, name, dir, err);
}

/* Docker's --memory-swap: the limit of memory and swap together; unset, as
 * much swap as memory; -1, any. */
static long long
swap_total(const args_t *args)
{
    if (args->memory_swap == 0)
        return 2 * args->memory;
    return args->memory_swap;
}

/* Without swap accounting (CONFIG_MEMCG_SWAP, swapaccount=0) the file is
 * missing: fine unless --memory-swap asked for it. */
static int
optional_swap_limit(const args_t *args, const char *dir, const char *file, const char *value,
                    cfs_error_t *err)
{
    char path[PATH_MAX];

    if (write_file(dir, file, value) == 0 || (errno == ENOENT && args->memory_swap == 0))
        return 0;
    return cfs_fail(err, CFS_STEP_CGROUP, join_path(path, dir, file) == 0 ? path : dir);
}

static int
limit_v1(const args_t *args, struct cfs_cgroup *cg, cfs_error_t *err)
{
    char swap[32];

    if (args->memory > 0) {
        if (write_number(cg->memory, "memory.limit_in_bytes", args->memory) < 0)
            return cfs_fail(err, CFS_STEP_CGROUP, cg->memory);
        snprintf(swap, sizeof swap, "%lld", swap_total(args));
        if (optional_swap_limit(args, cg->memory, "memory.memsw.limit_in_bytes", swap, err) < 0)
            return -1;
    }
    if (args->pids_limit > 0 && write_number(cg->pids, "pids.max", args->pids_limit) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, cg->pids);
    if (args->cpu_quota > 0
        && (write_number(cg->cpu, "cpu.cfs_period_us", CPU_PERIOD_US) < 0
            || write_number(cg->cpu, "cpu.cfs_quota_us", args->cpu_quota) < 0))
        return cfs_fail(err, CFS_STEP_CGROUP, cg->cpu);
    if (args->cpu_shares > 0 && write_number(cg->cpu, "cpu.shares", args->cpu_shares) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, cg->cpu);
    return 0;
}

/* Whether the cpu controller is needed: a quota or shares. */
static int
uses_cpu(const args_t *args)
{
    return args->cpu_quota > 0 || args->cpu_shares > 0;
}

int
cfs_cgroup_limited(const args_t *args)
{
    return args->memory > 0 || args->pids_limit > 0 || uses_cpu(args);
}

/* Unless --privileged, the container's device rules, whatever else it asks
 * for: without the controller, refused (cfs_cgroup_create). */
static int
create_v1(const args_t *args, const struct cfs_devices *devices, struct cfs_cgroup *cg,
          const char *name, cfs_error_t *err)
{
    cg->version = 1;
    if (!args->privileged) {
        if (make_v1_dir(cg, "devices", name, cg->devices, err) < 0)
            return -1;
        if (cfs_devices_write_v1(devices, cg->devices) < 0)
            return cfs_fail(err, CFS_STEP_CGROUP, cg->devices);
    }
    if ((args->memory > 0 || args->stats) && make_v1_dir(cg, "memory", name, cg->memory, err) < 0)
        return -1;
    if ((args->pids_limit > 0 || args->stats) && make_v1_dir(cg, "pids", name, cg->pids, err) < 0)
        return -1;
    if (uses_cpu(args) && make_v1_dir(cg, "cpu", name, cg->cpu, err) < 0)
        return -1;
    if (args->stats && make_v1_dir(cg, "cpuacct", name, cg->cpuacct, err) < 0)
        return -1;
    return limit_v1(args, cg, err);
}

static int
limit_v2(const args_t *args, struct cfs_cgroup *cg, cfs_error_t *err)
{
    char value[64];
    const char *dir = cg->dirs[0];

    if (args->memory > 0) {
        if (write_number(dir, "memory.max", args->memory) < 0)
            return cfs_fail(err, CFS_STEP_CGROUP, dir);
        if (args->memory_swap < 0)
            snprintf(value, sizeof value, "max");
        else
            snprintf(value, sizeof value, "%lld", swap_total(args) - args->memory);
        if (optional_swap_limit(args, dir, "memory.swap.max", value, err) < 0)
            return -1;
    }
    if (args->pids_limit > 0 && write_number(dir, "pids.max", args->pids_limit) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, dir);
    snprintf(value, sizeof value, "%lld %d", args->cpu_quota, CPU_PERIOD_US);
    if (args->cpu_quota > 0 && write_file(dir, "cpu.max", value) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, dir);
    if (args->cpu_shares > 0
        && write_number(dir, "cpu.weight", cfs_cpu_weight(args->cpu_shares)) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, dir);
    return 0;
}

/* The controllers the limits and --stats need, as cgroup.subtree_control
 * takes them (" +memory +pids"), or "" for none. */
static void
needed_controllers(const args_t *args, char controllers[64])
{
    controllers[0] = '\0';
    if (args->memory > 0 || args->stats)
        strcat(controllers, " +memory");
    if (args->pids_limit > 0 || args->stats)
        strcat(controllers, " +pids");
    if (uses_cpu(args) || args->stats)
        strcat(controllers, " +cpu");
}

/* The controllers must be enabled in the parent's subtree_control first;
 * the root cgroup may hold processes and still do that. */
static int
create_v2(const args_t *args, const struct cfs_devices *devices, struct cfs_cgroup *cg,
          const char *name, cfs_error_t *err)
{
    char controllers[64];

    cg->version = 2;
    needed_controllers(args, controllers);
    if (controllers[0] != '\0' && write_file(ROOT, "cgroup.subtree_control", controllers + 1) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, ROOT "/cgroup.subtree_control");
    if (make_dir(cg, ROOT, name, cg->memory, err) < 0)
        return -1;
    strcpy(cg->pids, cg->memory);
    strcpy(cg->cpu, cg->memory);
    strcpy(cg->cpuacct, cg->memory);
    /* The device rules need no controller: a program attached to the
     * directory, before the child joins it. */
    if (!args->privileged) {
        strcpy(cg->devices, cg->memory);
        if (cfs_devices_attach_program(devices, cg->devices) < 0)
            return cfs_fail(err, CFS_STEP_CGROUP, cg->devices);
    }
    return limit_v2(args, cg, err);
}

/* ---- an ordinary user's: a cgroup v2 subtree delegated to it ----
 *
 * As systemd gives a user's service or a scope with Delegate=yes, and as
 * root can by hand (cgroup-v2.rst, "Delegation"): the user's cgroup is a
 * directory it owns, with its cgroup.procs and cgroup.subtree_control, and
 * its parent enables the controllers for it (they show in its
 * cgroup.controllers).  Nothing above it is the user's to write.  Its
 * containers are made below it, as root's are below /sys/fs/cgroup. */

/* The process's cgroup v2 directory, from the "0::PATH" line of
 * /proc/self/cgroup; -1 without one. */
static int
current_cgroup(char *dir)
{
    char line[PATH_MAX + 8];
    FILE *f = fopen("/proc/self/cgroup", "re");
    int found = 0;

    while (!found && f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "0::/", 4) == 0) {
            line[strcspn(line, "\n")] = '\0';
            found = snprintf(dir, PATH_MAX, ROOT "%s", strcmp(line + 3, "/") == 0 ? "" : line + 3)
                    < PATH_MAX;
        }
    if (f != NULL)
        fclose(f);
    return found ? 0 : -1;
}

/* The user's delegated cgroup: its current one, or that one's parent when
 * it is the leaf an earlier run moved it to (move_to_leaf). */
static int
delegated_base(char *base)
{
    char *slash;

    if (current_cgroup(base) < 0)
        return -1;
    slash = strrchr(base, '/');
    if (strcmp(slash + 1, LEAF) == 0 && slash - base > (ptrdiff_t)strlen(ROOT))
        *slash = '\0';
    return 0;
}

/* Whether DIR/FILE lists WORD (space-separated, as cgroup.controllers). */
static int
lists(const char *dir, const char *file, const char *word)
{
    char path[PATH_MAX], text[1024];
    ssize_t n;
    int fd;

    if (join_path(path, dir, file) < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return 0;
    text[n] = '\0';
    for (char *w = strtok(text, " \n"); w != NULL; w = strtok(NULL, " \n"))
        if (strcmp(w, word) == 0)
            return 1;
    return 0;
}

/* Whether DIR may hold the containers' cgroups: the user's to write (the
 * directory, its cgroup.procs and cgroup.subtree_control), with every
 * controller of CONTROLLERS (" +memory +pids") given to it. */
static int
check_delegated(const char *dir, const char *controllers, char *why, size_t size)
{
    static const char *const files[] = { "", "cgroup.procs", "cgroup.subtree_control" };
    char copy[64], path[PATH_MAX];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (join_path(path, dir, files[i]) < 0 || access(path, W_OK) < 0) {
            snprintf(why, size, "your cgroup %s is not delegated to you (%s is not yours to write)",
                     dir, files[i][0] != '\0' ? files[i] : "the directory");
            return 0;
        }
    snprintf(copy, sizeof copy, "%s", controllers);
    for (char *c = strtok(copy, " +"); c != NULL; c = strtok(NULL, " +"))
        if (!lists(dir, "cgroup.controllers", c)) {
            snprintf(why, size,
                     "the %s controller is not delegated to your cgroup %s (not in its "
                     "cgroup.controllers: its parent does not enable it)",
                     c, dir);
            return 0;
        }
    return 1;
}

int
cfs_cgroup_delegated(const args_t *args, char *why, size_t size)
{
    char base[PATH_MAX], controllers[64];

    needed_controllers(args, controllers);
    if (!is_filesystem(ROOT, CGROUP2_SUPER_MAGIC)) {
        snprintf(why, size,
                 "this host's controllers are cgroup v1's (" ROOT " is no cgroup2 mount), "
                 "which only root may use");
        return 0;
    }
    if (delegated_base(base) < 0) {
        snprintf(why, size, "this process is in no cgroup v2 (no 0:: line in /proc/self/cgroup)");
        return 0;
    }
    return check_delegated(base, controllers, why, size);
}

/* cgroup v2 lets no process stay in a cgroup that enables controllers for
 * its children (cgroup-v2.rst, "No Internal Process Constraint"), and the
 * user's shell and this front end are in BASE: every process there moves to
 * BASE/LEAF first, which limits nothing, as docker-in-docker's entry script
 * and systemd's init.scope do.  Retried while one forks meanwhile. */
static int
move_to_leaf(const char *base, cfs_error_t *err)
{
    char leaf[PATH_MAX], path[PATH_MAX], pid[16];
    FILE *procs;

    if (join_path(leaf, base, LEAF) < 0 || (mkdir(leaf, 0755) < 0 && errno != EEXIST))
        return cfs_fail(err, CFS_STEP_CGROUP, leaf);
    for (int round = 0; round < 10; round++) {
        int moved = 0;

        if (join_path(path, base, "cgroup.procs") < 0 || (procs = fopen(path, "re")) == NULL)
            return cfs_fail(err, CFS_STEP_CGROUP, path);
        while (fscanf(procs, "%15s", pid) == 1) {
            if (write_file(leaf, "cgroup.procs", pid) < 0 && errno != ESRCH) {
                int saved = errno;
                fclose(procs);
                errno = saved;
                return cfs_fail(err, CFS_STEP_CGROUP, leaf);
            }
            moved++;
        }
        fclose(procs);
        if (moved == 0)
            return 0;
    }
    errno = EBUSY;
    return cfs_fail(err, CFS_STEP_CGROUP, base);
}

/* The controllers enabled in BASE's subtree_control, once. */
static int
enable_controllers(const char *base, const char *controllers, cfs_error_t *err)
{
    char copy[64], path[PATH_MAX];
    int enabled = 1;

    snprintf(copy, sizeof copy, "%s", controllers);
    for (char *c = strtok(copy, " +"); c != NULL; c = strtok(NULL, " +"))
        enabled &= lists(base, "cgroup.subtree_control", c);
    if (enabled)
        return 0;
    if (move_to_leaf(base, err) < 0)
        return -1;
    if (write_file(base, "cgroup.subtree_control", controllers + 1) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP,
                        join_path(path, base, "cgroup.subtree_control") == 0 ? path : base);
    return 0;
}

/* Below the user's delegated cgroup, checked by cfs_cgroup_delegated:
 * limits only.  No device rules: attaching the program needs CAP_SYS_ADMIN,
 * and a user namespace's mounts are nodev anyway (container.c).  Runs of
 * the same user take turns on an flock(2) of the base, as root's on
 * SERIAL_LOCK, and sweep it for what a killed one left. */
static int
create_delegated(const args_t *args, struct cfs_cgroup *cg, const char *name, cfs_error_t *err)
{
    char base[PATH_MAX], controllers[64];
    int serial, result = -1;

    needed_controllers(args, controllers);
    if (delegated_base(base) < 0) {
        errno = ENOENT;
        return cfs_fail(err, CFS_STEP_CGROUP, "/proc/self/cgroup");
    }
    if ((serial = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return cfs_fail(err, CFS_STEP_CGROUP, base);
    flock(serial, LOCK_EX);
    sweep(base);
    cg->version = 2;
    if (enable_controllers(base, controllers, err) == 0
        && make_dir(cg, base, name, cg->memory, err) == 0) {
        strcpy(cg->pids, cg->memory);
        strcpy(cg->cpu, cg->memory);
        strcpy(cg->cpuacct, cg->memory);
        result = limit_v2(args, cg, err);
    }
    close(serial);
    return result;
}

int
cfs_cgroup_create(const args_t *args, const struct cfs_devices *devices, struct cfs_cgroup *cgroup,
                  cfs_error_t *err)
{
    unsigned char id[4];
    char name[PATH_MAX];
    int serial, result;

    memset(cgroup, 0, sizeof *cgroup);
    if (geteuid() != 0 && !cfs_cgroup_limited(args) && !args->stats)
        return 0; /* an ordinary user's: limits only, no device rules (create_delegated) */
    if (args->privileged && !cfs_cgroup_limited(args) && !args->stats)
        return 0;
    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
        return cfs_fail(err, CFS_STEP_CGROUP, "getrandom");
    if (args->oci_id != NULL) {
        if (cfs_cgroup_oci_name(args->oci_id, args->cgroups_path, name, sizeof name) < 0)
            return cfs_fail(err, CFS_STEP_CGROUP,
                            args->cgroups_path != NULL ? args->cgroups_path : args->oci_id);
    } else
        snprintf(name, sizeof name, PREFIX "%ld-%02x%02x%02x%02x", (long)getpid(), id[0], id[1],
                 id[2], id[3]);
    if (geteuid() != 0)
        return create_delegated(args, cgroup, name, err);
    /* Sweeping, and making and locking our directories, one run at a time: a
     * sweep must never come between another run's mkdir and its lock.  Held
     * for a moment only; without /run (no registry either), no serialising. */
    serial = open(SERIAL_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (serial >= 0)
        flock(serial, LOCK_EX);
    sweep_all();
    if (is_filesystem(ROOT, CGROUP2_SUPER_MAGIC))
        result = create_v2(args, devices, cgroup, name, err);
    else
        result = create_v1(args, devices, cgroup, name, err);
    if (serial >= 0)
        close(serial);
    return result;
}

/* First of the child's steps after die_with_parent, so that everything the
 * container does counts against its limits. */
int
cfs_cgroup_join(const struct cfs_cgroup *cgroup, cfs_error_t *err)
{
    for (int i = 0; i < cgroup->count; i++)
        if (write(cgroup->procs[i], "0", 1) < 0)
            return cfs_fail(err, CFS_STEP_JOIN_CGROUP, cgroup->dirs[0]);
    return 0;
}

/* The namespace's root is the cgroup we are in when it is made
 * (cgroup_namespaces(7)): the container's own, joined just before.  Its
 * /proc/self/cgroup then reads "/", and nothing of the host's cgroup names
 * shows through it. */
int
cfs_cgroup_unshare(const args_t *args, cfs_error_t *err)
{
    if (args->cgroup_namespace && unshare(CLONE_NEWCGROUP) < 0)
        return cfs_fail(err, CFS_STEP_JOIN_CGROUP, "");
    return 0;
}

int
cfs_cgroup_oom_kills(const struct cfs_cgroup *cgroup)
{
    if (cgroup->version == 0)
        return 0;
    return (int)read_number(
        cgroup->memory, cgroup->version == 2 ? "memory.events" : "memory.oom_control", "oom_kill");
}

/* One line of the --stats block; a counter this kernel lacks is "n/a". */
static void
print_line(const char *what, long long value, const char *format, double unit, long long limit)
{
    char text[64];

    if (value < 0)
        snprintf(text, sizeof text, "n/a (not counted by this kernel)");
    else
        snprintf(text, sizeof text, format, value / unit);
    if (limit > 0 && value >= 0) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, " (limit ");
        n = strlen(text);
        snprintf(text + n, sizeof text - n, format, limit / unit);
        n = strlen(text);
        snprintf(text + n, sizeof text - n, ")");
    }
    dprintf(2, "  %-15s %s\n", what, text);
}

/* Like time -v, for the whole container, from the cgroup's own counters. */
void
cfs_cgroup_print_stats(const struct cfs_cgroup *cg, const args_t *args)
{
    const int v2 = cg->version == 2;
    long long user, system;

    if (cg->version == 0)
        return;
    /* v2 counts microseconds, v1's cpuacct nanoseconds. */
    user = v2 ? read_number(cg->cpuacct, "cpu.stat", "user_usec")
              : read_number(cg->cpuacct, "cpuacct.usage_user", NULL);
    system = v2 ? read_number(cg->cpuacct, "cpu.stat", "system_usec")
                : read_number(cg->cpuacct, "cpuacct.usage_sys", NULL);
    dprintf(2, "container-fs: --stats\n");
    print_line("memory peak",
               read_number(cg->memory, v2 ? "memory.peak" : "memory.max_usage_in_bytes", NULL),
               "%.1f MiB", MIB, args->memory);
    print_line("OOM kills", cfs_cgroup_oom_kills(cg), "%.0f", 1, 0);
    print_line("CPU user", user, "%.3f s", v2 ? 1e6 : 1e9, 0);
    print_line("CPU system", system, "%.3f s", v2 ? 1e6 : 1e9, 0);
    print_line("processes peak", read_number(cg->pids, "pids.peak", NULL), "%.0f", 1,
               args->pids_limit);
}

void
cfs_cgroup_remove(struct cfs_cgroup *cgroup)
{
    for (int i = cgroup->count - 1; i >= 0; i--) {
        if (cgroup->procs[i] >= 0)
            close(cgroup->procs[i]);
        remove_dir(cgroup->dirs[i]);
        /* Only now: a directory is never seen unlocked while it is in use. */
        if (cgroup->locks[i] >= 0)
            close(cgroup->locks[i]);
    }
    memset(cgroup, 0, sizeof *cgroup);
}
