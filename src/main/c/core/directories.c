/* The host side of a container: the layers checked (layers.c), WRITEDIR locked, the
 * work directory made before clone() and removed after waitpid(), whatever
 * happened in between.  Runs in the parent, so it may allocate. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "directories.h"
#include "layers.h"

/* snprintf that refuses to cut a path short (ENAMETOOLONG). */
static int format_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
format_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* The layers' real paths, once they pass the rules (layers.c), so the
 * option string, the work directory beside WRITEDIR and every later
 * message name the directories the kernel will use. */
static int
resolve_layers(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    dirs->lowers = calloc((size_t)args->nlowers, sizeof *dirs->lowers);
    if (dirs->lowers == NULL)
        return cfs_fail(err, CFS_STEP_LAYERS, "");
    dirs->nlowers = args->nlowers;
    return cfs_resolve_layers(args, dirs->lowers, &dirs->upper, err);
}

/* The pid holding an flock(2) on the file st describes, from /proc/locks
 * ("1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF", proc(5)), or 0. */
int
cfs_lock_holder(const struct stat *st)
{
    FILE *locks = fopen("/proc/locks", "re");
    char line[256], kind[16];
    unsigned int major, minor;
    unsigned long ino;
    int pid = 0, p;

    if (locks == NULL)
        return 0;
    while (pid == 0 && fgets(line, sizeof line, locks) != NULL)
        if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", kind, &p, &major, &minor, &ino) == 5
            && strcmp(kind, "FLOCK") == 0 && makedev(major, minor) == st->st_dev
            && ino == st->st_ino)
            pid = p;
    fclose(locks);
    return pid;
}

/* An exclusive flock(2) on dir, taken without waiting (EWOULDBLOCK when
 * another process holds it).  It belongs to the open file description, so
 * the kernel drops it when the last descriptor closes: when we are done, or
 * when we are killed, even with SIGKILL.  The descriptor is close-on-exec:
 * the command never holds it. */
int
cfs_lock_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Two overlays on one upper or work directory are undefined behaviour for
 * overlayfs (Documentation/filesystems/overlayfs.rst, "Sharing and copying
 * layers"): the kernel only warns, and writes get lost.  So WRITEDIR and the
 * work directory are locked for the life of the container, and a second run
 * is told which process holds them. */
static int
lock_for_container(const char *dir, int *lock, cfs_error_t *err)
{
    struct stat st;

    if ((*lock = cfs_lock_directory(dir)) >= 0)
        return 0;
    cfs_fail(err, CFS_STEP_LOCK, dir);
    if (err->err == EWOULDBLOCK && stat(dir, &st) == 0)
        err->holder = cfs_lock_holder(&st);
    return -1;
}

static void remove_tree(const char *dir);

/* What a run killed with SIGKILL left behind: a directory PREFIXxxxxxx in
 * dir, ours, whose lock nobody holds any more.  A live run holds the lock
 * from just after mkdtemp (make_locked_directory), so only an abandoned
 * directory can be taken here. */
static void
sweep_abandoned(const char *dir, const char *prefix)
{
    size_t n = strlen(prefix);
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        int lock;

        if (strncmp(e->d_name, prefix, n) != 0 || strlen(e->d_name) != n + 6
            || format_path(path, sizeof path, "%s/%s", dir, e->d_name) < 0)
            continue;
        lock = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lock < 0)
            continue;
        if (fstat(lock, &st) == 0 && st.st_uid == geteuid() && flock(lock, LOCK_EX | LOCK_NB) == 0)
            remove_tree(path);
        close(lock);
    }
    closedir(d);
}

/* mkdtemp(3) on templ (ending in XXXXXX), then its lock.  A sweeping run may
 * take the directory between the two: then it is gone (or going), and we
 * try another name. */
static int
make_locked_directory(char *templ, int *lock)
{
    size_t n = strlen(templ);

    for (int tries = 0; tries < 100; tries++) {
        struct stat st;

        memcpy(templ + n - 6, "XXXXXX", 6);
        if (mkdtemp(templ) == NULL)
            return -1;
        if ((*lock = cfs_lock_directory(templ)) >= 0) {
            if (fstat(*lock, &st) == 0 && st.st_nlink > 0)
                return 0;
            close(*lock);
            *lock = -1;
        } else if (errno != EWOULDBLOCK && errno != ENOENT) {
            int saved = errno;
            rmdir(templ);
            errno = saved;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

/* Whether dir's entry name is an empty directory of mode 000, as
 * overlayfs leaves work/ and index/ at unmount.  Read through a descriptor
 * (root reads mode 000 regardless), never following a symlink. */
static int
is_empty_overlayfs_directory(int dir, const char *name)
{
    int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    struct dirent *e;
    DIR *d;
    int empty = 1;

    if (fd < 0)
        return 0;
    if (fstat(fd, &st) < 0 || (st.st_mode & 07777) != 0 || (d = fdopendir(fd)) == NULL) {
        close(fd);
        return 0;
    }
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

/* overlayfs empties work/ inside its work directory at every mount
 * (fs/overlayfs/super.c, ovl_workdir_create()), and a directory that is
 * not empty is the sign of a mistake: a user's files would be next.  Only
 * what overlayfs itself leaves there after an unmount is accepted: work and
 * index, mode 000, themselves empty; a file hidden in a mode-000 work/ would
 * be deleted all the same. */
static int
require_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int other = 0;

    if (d == NULL)
        return -1;
    while (!other && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        other = !((strcmp(e->d_name, "work") == 0 || strcmp(e->d_name, "index") == 0)
                  && is_empty_overlayfs_directory(dirfd(d), e->d_name));
    }
    closedir(d);
    if (other) {
        errno = ENOTEMPTY;
        return -1;
    }
    return 0;
}

/* The overlay is mounted over TMPDIR itself, in the child's own mount
 * namespace (overlay.c, cfs_mount_overlay()), as bubblewrap builds its root
 * in a mount of its own: the host sees neither the mount nor a directory,
 * so there is nothing to make here, nothing to remove afterwards and
 * nothing a killed run could leave.  A TMPDIR inside a layer is no matter:
 * overlayfs reads each layer through a private copy of the layer's own
 * mount, which does not carry the mounts made on top of it.  Until the
 * pivot, though, the host paths the child still uses must stay reachable:
 * / itself, /proc (volumes are bound from /proc/self/fd) and /dev (the
 * devices bound without CAP_MKNOD) are refused; -v's sources are opened
 * before the overlay covers TMPDIR. */
static int
check_mountpoint(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    char *real = dirs->mountpoint;
    struct stat st;

    if (realpath(args->tmpdir, real) == NULL || stat(real, &st) < 0)
        return cfs_fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return cfs_fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    }
    if (strcmp(real, "/") == 0 || cfs_is_within(real, "/proc") || cfs_is_within(real, "/dev")) {
        errno = EBUSY;
        return cfs_fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    }
    return 0;
}

/* A given root filesystem: its real path is where the child binds it onto
 * itself and pivots, in place of the overlay's mount point.  Nothing is
 * made beside it and nothing locked: the engine that made it owns it. */
static int
resolve_rootfs(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    char *real = dirs->mountpoint;
    struct stat st;

    if (realpath(args->rootfs, real) == NULL || stat(real, &st) < 0)
        return cfs_fail(err, CFS_STEP_LAYERS, args->rootfs);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return cfs_fail(err, CFS_STEP_LAYERS, args->rootfs);
    }
    if (strcmp(real, "/") == 0) {
        errno = EBUSY;
        return cfs_fail(err, CFS_STEP_LAYERS, args->rootfs);
    }
    return 0;
}

/* overlayfs needs its work directory empty and on WRITEDIR's filesystem
 * (mount(8), "Mount options for overlay"): the user's, or a new one beside
 * WRITEDIR.  A WRITEDIR that is itself a mount point has no such place. */
static int
make_workdir(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    const char *slash = strrchr(dirs->upper, '/'); /* a real path: there is one */
    struct stat work, upper;
    char parent[PATH_MAX];

    if (args->workdir != NULL) { /* checked and locked, its real path in dirs->work */
        if (require_empty(dirs->work) < 0)
            return cfs_fail(err, CFS_STEP_WORKDIR, dirs->work);
        return 0;
    }
    if (format_path(parent, sizeof parent, "%.*s", (int)(slash - dirs->upper), dirs->upper) == 0)
        sweep_abandoned(parent[0] == '\0' ? "/" : parent, ".container-fs-work-");
    if (format_path(dirs->work, sizeof dirs->work, "%.*s/.container-fs-work-XXXXXX",
                    (int)(slash - dirs->upper), dirs->upper)
            < 0
        || make_locked_directory(dirs->work, &dirs->work_lock) < 0) {
        dirs->work[0] = '\0';
        return cfs_fail(err, CFS_STEP_WORKDIR, dirs->upper);
    }
    dirs->made_work = 1;
    if (stat(dirs->work, &work) < 0 || stat(dirs->upper, &upper) < 0)
        return cfs_fail(err, CFS_STEP_WORKDIR, dirs->work);
    if (work.st_dev != upper.st_dev) {
        errno = EXDEV;
        return cfs_fail(err, CFS_STEP_WORKDIR, dirs->upper);
    }
    return 0;
}

/* The directories the child makes in the overlay to mount on, when no layer
 * has them (rootfs.c, make_mount_point()); they land in WRITEDIR. */
static const char *const mount_points[] = { "proc", "dev", "sys" };

static void
note_absent_mount_points(struct cfs_directories *dirs)
{
    int upper = open(dirs->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;

    if (upper < 0)
        return;
    for (size_t i = 0; i < sizeof mount_points / sizeof mount_points[0]; i++)
        if (fstatat(upper, mount_points[i], &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            dirs->absent_mount_points |= 1 << i;
    close(upper);
}

/* Only while WRITEDIR is locked: another container's proc would be a mount
 * point in its namespace, and removing it there would unmount it. */
void
cfs_remove_made_mount_points(const struct cfs_directories *dirs)
{
    int upper;

    if (dirs->upper_lock < 0 || dirs->absent_mount_points == 0)
        return;
    upper = open(dirs->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (upper < 0)
        return;
    for (size_t i = 0; i < sizeof mount_points / sizeof mount_points[0]; i++)
        if (dirs->absent_mount_points & (1 << i))
            unlinkat(upper, mount_points[i], AT_REMOVEDIR); /* only if empty, as we made it */
    close(upper);
}

/* --overlay-workdir's rules (layers.c), its real path into dirs->work,
 * then its lock. */
static int
lock_given_workdir(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    if (args->workdir == NULL)
        return 0;
    if (cfs_check_workdir(args, (const char *const *)dirs->lowers, dirs->upper, dirs->work, err)
        < 0)
        return -1;
    return lock_for_container(dirs->work, &dirs->work_lock, err);
}

/* Our entry among the running containers (running.c): the work directory
 * only when given, as one made beside WRITEDIR is no one else's to use. */
static int
register_running(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    const struct cfs_layer_paths ours = {
        .lowers = dirs->lowers,
        .nlowers = dirs->nlowers,
        .upper = args->read_only ? NULL : dirs->upper,
        .work = args->read_only || args->workdir == NULL ? NULL : dirs->work,
    };

    return cfs_register_running(&ours, &dirs->running, err);
}

int
cfs_make_directories(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    memset(dirs, 0, sizeof *dirs);
    dirs->upper_lock = dirs->work_lock = -1;
    dirs->running.lock = -1;
    if (args->rootfs != NULL)
        return resolve_rootfs(args, dirs, err);
    if (resolve_layers(args, dirs, err) < 0 || check_mountpoint(args, dirs, err) < 0)
        return -1;
    /* --read-only: nothing is written, so nothing needs a work directory. */
    if (args->read_only)
        return register_running(args, dirs, err);
    /* The directories' own locks first: for the same directory, their
     * messages name the container holding it; then the overlaps with the
     * others, before anything is made beside WRITEDIR. */
    if (lock_for_container(dirs->upper, &dirs->upper_lock, err) < 0
        || lock_given_workdir(args, dirs, err) < 0 || register_running(args, dirs, err) < 0
        || make_workdir(args, dirs, err) < 0)
        return -1;
    note_absent_mount_points(dirs);
    return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    /* Rootless, overlayfs's work/ is mode 0 and ours, and without
     * CAP_DAC_OVERRIDE we can neither read it nor remove it unread. */
    if (type == FTW_DNR && chmod(path, 0700) == 0)
        remove_tree(path);
    else if (type == FTW_DP || type == FTW_DNR)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* Depth first, never following a symlink (FTW_PHYS) nor entering another
 * filesystem (FTW_MOUNT): were something still mounted below, we would
 * rather leave a directory behind than delete inside the mount.  Every mount
 * was made in the container's namespace, gone with its last process. */
static void
remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void
cfs_remove_directories(struct cfs_directories *dirs)
{
    if (dirs->made_work)
        remove_tree(dirs->work);
    /* Only now: a directory is never seen unlocked while it is being removed. */
    if (dirs->work_lock >= 0)
        close(dirs->work_lock);
    if (dirs->upper_lock >= 0)
        close(dirs->upper_lock);
    cfs_unregister_running(&dirs->running);
    for (int i = 0; dirs->lowers != NULL && i < dirs->nlowers; i++)
        free(dirs->lowers[i]);
    free(dirs->lowers);
    free(dirs->upper);
    memset(dirs, 0, sizeof *dirs);
}
