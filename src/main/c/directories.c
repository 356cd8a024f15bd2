/* The host side of a container: the layers resolved, the mountpoint and the
 * work directory made before clone(), and both removed after waitpid(),
 * whatever happened in between.  Runs in the parent, so it may allocate. */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "directories.h"

static int
fail(cfs_error_t *err, int step, const char *path)
{
    cfs_set_error(err, step, path, errno);
    return -1;
}

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

/* Real paths, so the option string, the work directory beside WRITEDIR and
 * every message name the directories the kernel will use. */
static int
resolve_layers(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    dirs->lowers = calloc((size_t)args->nlowers, sizeof *dirs->lowers);
    if (dirs->lowers == NULL)
        return fail(err, CFS_STEP_LAYERS, "");
    dirs->nlowers = args->nlowers;
    for (int i = 0; i < args->nlowers; i++)
        if ((dirs->lowers[i] = realpath(args->lowers[i], NULL)) == NULL)
            return fail(err, CFS_STEP_LAYERS, args->lowers[i]);
    if ((dirs->upper = realpath(args->upper, NULL)) == NULL)
        return fail(err, CFS_STEP_LAYERS, args->upper);
    return 0;
}

/* Whether path is dir or below it, by whole components: /a/bc is not below /a/b. */
static int
is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* A mountpoint inside a layer would show up in the container's own tree, or
 * in WRITEDIR on the host. */
static int
reject_inside_a_layer(const args_t *args, const struct cfs_directories *dirs, cfs_error_t *err)
{
    char real[PATH_MAX];

    if (realpath(dirs->base, real) == NULL)
        return fail(err, CFS_STEP_MOUNTPOINT, dirs->base);
    errno = EINVAL;
    for (int i = 0; i < dirs->nlowers; i++)
        if (is_within(real, dirs->lowers[i]))
            return fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    if (is_within(real, dirs->upper))
        return fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    return 0;
}

/* mkdtemp(3): mode 0700 and a name nobody can guess or take first. */
static int
make_mountpoint(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    if (format_path(dirs->base, sizeof dirs->base, "%s/container-fs-XXXXXX", args->tmpdir) < 0
        || mkdtemp(dirs->base) == NULL) {
        dirs->base[0] = '\0';
        return fail(err, CFS_STEP_MOUNTPOINT, args->tmpdir);
    }
    if (reject_inside_a_layer(args, dirs, err) < 0)
        return -1;
    if (format_path(dirs->mountpoint, sizeof dirs->mountpoint, "%s/root", dirs->base) < 0
        || mkdir(dirs->mountpoint, 0755) < 0)
        return fail(err, CFS_STEP_MOUNTPOINT, dirs->base);
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

    if (args->workdir != NULL) {
        if (realpath(args->workdir, dirs->work) == NULL)
            return fail(err, CFS_STEP_WORKDIR, args->workdir);
        return 0;
    }
    if (format_path(dirs->work, sizeof dirs->work, "%.*s/.container-fs-work-XXXXXX",
                    (int)(slash - dirs->upper), dirs->upper)
            < 0
        || mkdtemp(dirs->work) == NULL)
        return fail(err, CFS_STEP_WORKDIR, dirs->upper);
    dirs->made_work = 1;
    if (stat(dirs->work, &work) < 0 || stat(dirs->upper, &upper) < 0)
        return fail(err, CFS_STEP_WORKDIR, dirs->work);
    if (work.st_dev != upper.st_dev) {
        errno = EXDEV;
        return fail(err, CFS_STEP_WORKDIR, dirs->upper);
    }
    return 0;
}

int
cfs_make_directories(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err)
{
    memset(dirs, 0, sizeof *dirs);
    if (resolve_layers(args, dirs, err) < 0 || make_mountpoint(args, dirs, err) < 0
        || make_workdir(args, dirs, err) < 0)
        return -1;
    return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
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
    if (dirs->base[0] != '\0')
        remove_tree(dirs->base);
    if (dirs->made_work)
        remove_tree(dirs->work);
    for (int i = 0; dirs->lowers != NULL && i < dirs->nlowers; i++)
        free(dirs->lowers[i]);
    free(dirs->lowers);
    free(dirs->upper);
    memset(dirs, 0, sizeof *dirs);
}
