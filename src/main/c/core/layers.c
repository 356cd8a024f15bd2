/* The layer rules: what a stack must be before anything is made for it.
 * overlayfs itself answers most mistakes with a bare EINVAL from mount(2),
 * or worse, mounts a stack that writes into a lower layer (a WRITEDIR
 * inside one).  So the parent checks, before it locks or makes anything,
 * that each layer is a directory, that none is listed twice, that WRITEDIR
 * is outside every lower layer and writable, and that a work directory the
 * user gave overlaps no layer and shares WRITEDIR's filesystem
 * (Documentation/filesystems/overlayfs.rst, "Sharing and copying layers";
 * mount(8), "Mount options for overlay").  Both front ends call this, so
 * both say the same line (errors.c) for the same mistake.
 *
 * Every message names a layer as the user wrote it; the checks compare
 * real paths, so `a` and `./a/` are one directory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layers.h"
#include "real_directories.h"

int
cfs_is_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return 1;
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* A layer's real path, malloc'd, or -1 with *err: the layer as given and
 * errno (ENOENT, ENOTDIR for a file, EACCES...). */
static int
resolve_one(struct cfs_real_parent *parent, const char *layer, char **real, cfs_error_t *err)
{
    char path[PATH_MAX];
    int errnum = cfs_real_directory(parent, layer, path);

    if (errnum != 0) {
        cfs_set_error(err, CFS_STEP_LAYERS, layer, errnum);
        return -1;
    }
    if ((*real = strdup(path)) == NULL)
        return cfs_fail(err, CFS_STEP_LAYERS, layer);
    return 0;
}

/* A layer's real path and its place in the user's list. */
struct indexed {
    const char *real;
    int index;
};

static int
by_path_then_index(const void *a, const void *b)
{
    const struct indexed *x = a, *y = b;
    int c = strcmp(x->real, y->real);

    return c != 0 ? c : x->index - y->index;
}

/* Sorted, not compared pair by pair: a stack may hold 500 layers.  Of all
 * the directories listed twice, the one whose second mention comes first
 * is named, with its first mention. */
static int
reject_same_directory_twice(const char *const *given, const char *const *real, int n,
                            cfs_error_t *err)
{
    struct indexed *sorted = calloc((size_t)n, sizeof *sorted);
    int first = -1, second = -1;

    if (sorted == NULL)
        return cfs_fail(err, CFS_STEP_LAYERS, "");
    for (int i = 0; i < n; i++)
        sorted[i] = (struct indexed){ real[i], i };
    qsort(sorted, (size_t)n, sizeof *sorted, by_path_then_index);
    for (int i = 1; i < n; i++)
        if (strcmp(sorted[i - 1].real, sorted[i].real) == 0
            && (i < 2 || strcmp(sorted[i - 2].real, sorted[i].real) != 0)
            && (second < 0 || sorted[i].index < second)) {
            first = sorted[i - 1].index;
            second = sorted[i].index;
        }
    free(sorted);
    if (second < 0)
        return 0;
    return cfs_rule_error(err, CFS_STEP_LAYERS, CFS_RULE_SAME_DIRECTORY, given[first],
                          given[second], real[first], ELOOP);
}

/* A WRITEDIR inside a lower layer would write into it; a lower layer
 * inside WRITEDIR would change under the overlay (overlayfs.rst, "Changes
 * to underlying filesystems"). */
static int
reject_nesting(const args_t *args, const char *const *lowers, const char *upper, cfs_error_t *err)
{
    for (int i = 0; i < args->nlowers; i++) {
        if (cfs_is_within(upper, lowers[i]))
            return cfs_rule_error(err, CFS_STEP_LAYERS, CFS_RULE_UPPER_IN_LOWER, args->upper,
                                  args->lowers[i], "", ELOOP);
        if (cfs_is_within(lowers[i], upper))
            return cfs_rule_error(err, CFS_STEP_LAYERS, CFS_RULE_LOWER_IN_UPPER, args->lowers[i],
                                  args->upper, "", ELOOP);
    }
    return 0;
}

/* access(2) answers EROFS for a read-only filesystem, even to root, and
 * EACCES to another user without write permission. */
static int
require_writable(const args_t *args, const char *upper, cfs_error_t *err)
{
    if (access(upper, W_OK) == 0)
        return 0;
    return cfs_rule_error(err, CFS_STEP_LAYERS, CFS_RULE_NOT_WRITABLE, args->upper, "", "", errno);
}

int
cfs_resolve_layers(const args_t *args, char **lowers, char **upper, cfs_error_t *err)
{
    struct cfs_real_parent parent = { .given = "" };
    const int n = args->nlowers + (args->read_only ? 0 : 1);
    const char **given = calloc((size_t)n, sizeof *given);
    const char **real = calloc((size_t)n, sizeof *real);
    int result = -1;

    if (given == NULL || real == NULL) {
        cfs_fail(err, CFS_STEP_LAYERS, "");
        goto out;
    }
    for (int i = 0; i < args->nlowers; i++) {
        if (resolve_one(&parent, args->lowers[i], &lowers[i], err) < 0)
            goto out;
        given[i] = args->lowers[i];
        real[i] = lowers[i];
    }
    if (!args->read_only) {
        if (resolve_one(&parent, args->upper, upper, err) < 0)
            goto out;
        given[n - 1] = args->upper;
        real[n - 1] = *upper;
    }
    if (reject_same_directory_twice(given, real, n, err) < 0)
        goto out;
    if (args->read_only) {
        result = 0; /* every layer is a lower one: nothing is written */
        goto out;
    }
    if (reject_nesting(args, (const char *const *)lowers, *upper, err) == 0
        && require_writable(args, *upper, err) == 0)
        result = 0;
out:
    free(given);
    free(real);
    return result;
}

int
cfs_check_workdir(const args_t *args, const char *const *lowers, const char *upper, char *work,
                  cfs_error_t *err)
{
    struct cfs_real_parent parent = { .given = "" };
    struct stat w, u;
    int errnum = cfs_real_directory(&parent, args->workdir, work);

    if (errnum != 0)
        return cfs_rule_error(err, CFS_STEP_WORKDIR, CFS_RULE_WORK_DIRECTORY, args->workdir, "", "",
                              errnum);
    for (int i = 0; i <= args->nlowers; i++) {
        const char *layer = i < args->nlowers ? lowers[i] : upper;

        if (cfs_is_within(work, layer) || cfs_is_within(layer, work))
            return cfs_rule_error(err, CFS_STEP_WORKDIR, CFS_RULE_WORK_OVERLAPS, args->workdir,
                                  layer, "", ELOOP);
    }
    if (stat(work, &w) < 0 || stat(upper, &u) < 0)
        return cfs_rule_error(err, CFS_STEP_WORKDIR, CFS_RULE_WORK_DIRECTORY, args->workdir, "", "",
                              errno);
    if (w.st_dev != u.st_dev)
        return cfs_rule_error(err, CFS_STEP_WORKDIR, CFS_RULE_WORK_ELSEWHERE, args->workdir,
                              args->upper, "", EXDEV);
    return 0;
}
