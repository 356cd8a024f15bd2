/* Unit tests of real_directories.c: a parent resolved once must give what
 * realpath(3) and stat(2) give for every layer, whatever the layer is.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "real_directories.h"

static char root[PATH_MAX];

/* A 200-character directory name, made by make_tree(). */
static char long_name[201];

/* What realpath(3) and stat(2) say: the answer to match. */
static int
expected(const char *dir, char *real)
{
    struct stat st;

    if (realpath(dir, real) == NULL || stat(real, &st) < 0)
        return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* dir resolved through parent, which earlier calls have left as they left it. */
static void
check_same(struct cfs_real_parent *parent, const char *dir)
{
    char want[PATH_MAX] = "", got[PATH_MAX] = "";
    int want_err = expected(dir, want), got_err = cfs_real_directory(parent, dir, got);

    if (got_err != want_err || (want_err == 0 && strcmp(got, want) != 0)) {
        fprintf(stderr, "%s: expected %d \"%s\", got %d \"%s\"\n", dir, want_err,
                want_err ? "" : want, got_err, got_err ? "" : got);
        failures++;
    }
}

static void
make_tree(void)
{
    char tmpl[] = "/tmp/test_real_directories.XXXXXX", path[2 * PATH_MAX];
    FILE *file;

    CHECK(mkdtemp(tmpl) != NULL);
    CHECK(realpath(tmpl, root) != NULL);
    snprintf(path, sizeof path, "%s/layers", root);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/layers/1", root);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/layers/2", root);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/layers/file", root);
    file = fopen(path, "w");
    CHECK(file != NULL);
    if (file != NULL)
        fclose(file);
    memset(long_name, 'n', sizeof long_name - 1);
    snprintf(path, sizeof path, "%s/layers/%s", root, long_name);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/layers/link", root);
    CHECK(symlink("1", path) == 0);
    snprintf(path, sizeof path, "%s/layers/filelink", root);
    CHECK(symlink("file", path) == 0);
    snprintf(path, sizeof path, "%s/linked", root);
    CHECK(symlink("layers", path) == 0);
}

static void
remove_tree(void)
{
    const char *entries[] = { "linked", "layers/filelink", "layers/link", "layers/file" };
    const char *dirs[] = { "layers/2", "layers/1", "layers", "" };
    char path[2 * PATH_MAX];

    for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
        snprintf(path, sizeof path, "%s/%s", root, entries[i]);
        CHECK(unlink(path) == 0);
    }
    snprintf(path, sizeof path, "%s/layers/%s", root, long_name);
    CHECK(rmdir(path) == 0);
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
        CHECK(rmdir(path) == 0);
    }
}

/* Every kind of layer, one after another through one cache, as a stack is. */
static void
absolute_layers_match_realpath(void)
{
    const char *tails[] = {
        "layers/1",        "layers/2",           "layers/file",   "layers/none", "layers/link",
        "layers/filelink", "linked/1",           "linked/2",      "layers/1/",   "layers/1/.",
        "layers/1/..",     "layers//2",          "layers/file/x", "none/x",      "linked/link",
        "layers/2",        "linked/../layers/1",
    };
    struct cfs_real_parent parent = { .given = "" };
    char dir[2 * PATH_MAX];

    for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
        snprintf(dir, sizeof dir, "%s/%s", root, tails[i]);
        check_same(&parent, dir);
    }
    check_same(&parent, "/");
    check_same(&parent, "/tmp");
    check_same(&parent, "//tmp");
}

/* A path of PATH_MAX or more whose parent is shorter: lstat(2) cannot take
 * it, realpath(3) drops its "./" and resolves it. */
static void
a_path_too_long_for_lstat_matches_realpath(void)
{
    struct cfs_real_parent parent = { .given = "" };
    char dir[2 * PATH_MAX];
    size_t len;

    len = (size_t)snprintf(dir, sizeof dir, "%s/", root);
    while (len + strlen("./layers/") + 100 < PATH_MAX)
        len += (size_t)snprintf(dir + len, sizeof dir - len, "./");
    snprintf(dir + len, sizeof dir - len, "layers/%s", long_name);
    CHECK(strlen(dir) >= PATH_MAX);
    CHECK(strrchr(dir, '/') - dir < PATH_MAX);
    check_same(&parent, dir);
}

/* The course's `container-fs rootfs app writedir`: names relative to the
 * current directory. */
static void
relative_layers_match_realpath(void)
{
    const char *dirs[]
        = { "1", "2", "file", "none", "link", "./1", "../layers/2", "1/..", ".", "..", "" };
    struct cfs_real_parent parent = { .given = "" };
    char cwd[PATH_MAX], layers[2 * PATH_MAX];

    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    snprintf(layers, sizeof layers, "%s/layers", root);
    CHECK(chdir(layers) == 0);
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        check_same(&parent, dirs[i]);
    CHECK(chdir(cwd) == 0);
}

/* A parent resolved once is the parent's real path, joined without "//". */
static void
a_shared_parent_is_joined_once(void)
{
    struct cfs_real_parent parent = { .given = "" };
    char real[PATH_MAX], dir[2 * PATH_MAX], want[2 * PATH_MAX];

    snprintf(dir, sizeof dir, "%s/linked/2", root);
    CHECK(cfs_real_directory(&parent, dir, real) == 0);
    snprintf(want, sizeof want, "%s/layers/2", root);
    CHECK_STR(real, want);
    snprintf(want, sizeof want, "%s/linked", root);
    CHECK_STR(parent.given, want);
    CHECK(cfs_real_directory(&parent, "/tmp", real) == 0);
    CHECK_STR(parent.given, "/");
    CHECK_STR(real, "/tmp");
}

int
main(void)
{
    make_tree();
    absolute_layers_match_realpath();
    relative_layers_match_realpath();
    a_path_too_long_for_lstat_matches_realpath();
    a_shared_parent_is_joined_once();
    remove_tree();
    return check_summary("test_real_directories");
}
