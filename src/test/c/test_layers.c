/* Unit tests of layers.c: the layer rules both front ends share, on small
 * directories of the test's own under a temporary one; no root needed
 * (the read-only filesystem case is LayerRulesIT's, which mounts one).
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfs.h"
#include "check.h"
#include "layers.h"

static char top[128]; /* short, so that every path made from it fits PATH_MAX */

/* top/NAME, made as a directory (mkdir) or left as a path. */
static const char *
dir(const char *name, int make)
{
    static char paths[16][PATH_MAX];
    static int next;
    char *path = paths[next++ % 16];

    snprintf(path, PATH_MAX, "%s/%s", top, name);
    if (make)
        mkdir(path, 0755);
    return path;
}

/* The line a stack of these layers (WRITEDIR last) gets, or "" when it passes. */
static const char *
check(const char *workdir, int n, const char *const *layers)
{
    static char line[4 * PATH_MAX];
    char *lowers[8] = { 0 }, *upper = NULL, work[PATH_MAX];
    args_t args
        = { .lowers = layers, .nlowers = n - 1, .upper = layers[n - 1], .workdir = workdir };
    cfs_error_t err;

    memset(&err, 0, sizeof err);
    line[0] = '\0';
    if (cfs_resolve_layers(&args, lowers, &upper, &err) < 0
        || (workdir != NULL
            && cfs_check_workdir(&args, (const char *const *)lowers, upper, work, &err) < 0)) {
        cfs_format_error(&err, line, sizeof line);
        CHECK(cfs_exit_status(&err) == CFS_EXIT_FAILED);
    }
    for (int i = 0; i < n - 1; i++)
        free(lowers[i]);
    free(upper);
    return line;
}

#define STACK(...)                                                                                 \
    (sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)),                              \
        ((const char *const[]){ __VA_ARGS__ })

static void
the_course_layout_passes(void)
{
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("app", 1), dir("w", 1))), "");
}

static void
a_missing_layer_or_a_file_is_named_as_given(void)
{
    char expected[2 * PATH_MAX];
    FILE *f;

    snprintf(expected, sizeof expected, "layer '%s' does not exist", dir("nope", 0));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("nope", 0), dir("w", 1))), expected);
    f = fopen(dir("file", 0), "w");
    if (f != NULL)
        fclose(f);
    snprintf(expected, sizeof expected, "layer '%s' is not a directory", dir("file", 0));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("file", 0))), expected);
}

static void
the_same_directory_twice_is_refused_by_any_name(void)
{
    char again[PATH_MAX], expected[4 * PATH_MAX];

    snprintf(again, sizeof again, "%s/../%s/rootfs/", top, strrchr(top, '/') + 1);
    snprintf(expected, sizeof expected,
             "layers '%s' and '%s' are the same directory (%s); list each layer once",
             dir("rootfs", 1), again, dir("rootfs", 1));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("app", 1), again, dir("w", 1))), expected);
    /* The first directory mentioned twice is named, with its first mention. */
    snprintf(expected, sizeof expected,
             "layers '%s' and '%s' are the same directory (%s); list each layer once",
             dir("app", 1), dir("app", 1), dir("app", 1));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("app", 1), dir("app", 1), dir("rootfs", 1),
                                dir("w", 1))),
              expected);
}

static void
writedir_stays_outside_every_lower_layer(void)
{
    char expected[4 * PATH_MAX];

    snprintf(expected, sizeof expected,
             "WRITEDIR '%s' is inside the lower layer '%s'; put WRITEDIR outside every lower layer",
             dir("rootfs/upper", 1), dir("rootfs", 1));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("app", 1), dir("rootfs/upper", 1))),
              expected);
    snprintf(expected, sizeof expected,
             "lower layer '%s' is inside WRITEDIR '%s'; put WRITEDIR outside every lower layer",
             dir("w/lower", 1), dir("w", 1));
    CHECK_STR(check(NULL, STACK(dir("rootfs", 1), dir("w/lower", 1), dir("w", 1))), expected);
}

static void
a_work_directory_exists_and_overlaps_no_layer(void)
{
    char expected[4 * PATH_MAX];

    snprintf(expected, sizeof expected, "work directory '%s' does not exist", dir("nowork", 0));
    CHECK_STR(check(dir("nowork", 0), STACK(dir("rootfs", 1), dir("w", 1))), expected);
    snprintf(expected, sizeof expected,
             "work directory '%s' overlaps the layer %s; choose a directory beside WRITEDIR, not "
             "inside or around a layer",
             dir("w/work", 1), dir("w", 1));
    CHECK_STR(check(dir("w/work", 1), STACK(dir("rootfs", 1), dir("w", 1))), expected);
    CHECK_STR(check(dir("work", 1), STACK(dir("rootfs", 1), dir("w", 1))), "");
}

static void
within_compares_whole_names(void)
{
    CHECK(cfs_is_within("/a/b", "/a"));
    CHECK(cfs_is_within("/a", "/a"));
    CHECK(!cfs_is_within("/a/bc", "/a/b"));
    CHECK(cfs_is_within("/anything", "/"));
}

int
main(void)
{
    char templ[] = "/tmp/test_layers.XXXXXX", real[PATH_MAX];
    char command[sizeof top + 16];
    int status;

    if (mkdtemp(templ) == NULL || realpath(templ, real) == NULL || strlen(real) >= sizeof top) {
        perror("mkdtemp");
        return 1;
    }
    memcpy(top, real, strlen(real) + 1);
    the_course_layout_passes();
    a_missing_layer_or_a_file_is_named_as_given();
    the_same_directory_twice_is_refused_by_any_name();
    writedir_stays_outside_every_lower_layer();
    a_work_directory_exists_and_overlaps_no_layer();
    within_compares_whole_names();
    snprintf(command, sizeof command, "rm -rf '%s'", top);
    status = system(command);
    (void)status;
    return check_summary("test_layers");
}
