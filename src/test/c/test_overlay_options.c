/* Unit tests of overlay_options.c, the overlay option string (step 3 of the course):
 * escaping, the order of the layers, and the kernel's one-page limit.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "overlay.h"

static void
append_string_refuses_what_does_not_fit(void)
{
    char buf[8] = "abc";
    size_t len = 3;

    CHECK(cfs_append_string(buf, sizeof buf, &len, "defg") == 0); /* 7 bytes + NUL: fits */
    CHECK_STR(buf, "abcdefg");
    CHECK(len == 7);
    CHECK(cfs_append_string(buf, sizeof buf, &len, "h") == -1);
    CHECK_STR(buf, "abcdefg"); /* unchanged */
    CHECK(len == 7);
}

static void
escape_directory_escapes_backslash_comma_colon(void)
{
    char buf[64] = "";
    size_t len = 0;

    CHECK(cfs_escape_directory(buf, sizeof buf, &len, "/a b\\c,d:e") == 0);
    CHECK_STR(buf, "/a b\\\\c\\,d\\:e");
    CHECK(len == strlen(buf));
}

static void
escape_directory_leaves_nothing_half_written(void)
{
    char buf[8] = "x";
    size_t len = 1;

    /* "x" + "a\,b" is 5 bytes: fits; "x" + "a\,bcdef" does not. */
    CHECK(cfs_escape_directory(buf, sizeof buf, &len, "a,bcdef") == -1);
    CHECK_STR(buf, "x");
    CHECK(len == 1);
}

static void
options_list_lower_layers_top_first(void)
{
    const char *const lowers[] = { "/rootfs", "/app", "/extra" }; /* bottom to top */
    char buf[CFS_OPTIONS_MAX];
    cfs_error_t err;

    CHECK(cfs_build_overlay_options(buf, sizeof buf, lowers, 3, "/w", "/work", &err) == 0);
    CHECK_STR(buf, "lowerdir=/extra:/app:/rootfs,upperdir=/w,workdir=/work");
}

static void
options_escape_every_directory(void)
{
    const char *const lowers[] = { "/r:1", "/a,2" };
    char buf[CFS_OPTIONS_MAX];
    cfs_error_t err;

    CHECK(cfs_build_overlay_options(buf, sizeof buf, lowers, 2, "/u\\3", "/w,4", &err) == 0);
    CHECK_STR(buf, "lowerdir=/a\\,2:/r\\:1,upperdir=/u\\\\3,workdir=/w\\,4");
}

/* Fill a path so that the whole option string is exactly `total` bytes. */
static void
options_of_length(size_t total, char *buf, size_t size, int *result, cfs_error_t *err)
{
    static char lower[CFS_OPTIONS_MAX + 16];
    const char *const lowers[] = { lower };
    const size_t fixed = strlen("lowerdir=,upperdir=/u,workdir=/w");

    memset(lower, 'l', total - fixed);
    lower[0] = '/';
    lower[total - fixed] = '\0';
    *result = cfs_build_overlay_options(buf, size, lowers, 1, "/u", "/w", err);
}

static void
options_fit_in_one_page_or_are_refused(void)
{
    char buf[CFS_OPTIONS_MAX];
    cfs_error_t err;
    int result;

    options_of_length(CFS_OPTIONS_MAX - 1, buf, sizeof buf, &result, &err); /* + NUL = a page */
    CHECK(result == 0);
    CHECK(strlen(buf) == CFS_OPTIONS_MAX - 1);

    memset(&err, 0, sizeof err);
    options_of_length(CFS_OPTIONS_MAX, buf, sizeof buf, &result, &err);
    CHECK(result == -1);
    CHECK_STR(buf, ""); /* never a truncated string the kernel would mount */
    CHECK(err.step == CFS_STEP_OPTIONS);
    CHECK(err.err == E2BIG);
}

static void
options_need_a_lower_layer(void)
{
    char buf[64];
    cfs_error_t err;

    CHECK(cfs_build_overlay_options(buf, sizeof buf, NULL, 0, "/u", "/w", &err) == -1);
    CHECK(err.err == EINVAL);
}

static void
options_without_an_upper_layer_are_the_lower_ones_alone(void)
{
    const char *const lowers[] = { "/rootfs", "/app" };
    char buf[CFS_OPTIONS_MAX];
    cfs_error_t err;

    CHECK(cfs_build_overlay_options(buf, sizeof buf, lowers, 2, NULL, NULL, &err) == 0);
    CHECK_STR(buf, "lowerdir=/app:/rootfs");
}

int
main(void)
{
    append_string_refuses_what_does_not_fit();
    escape_directory_escapes_backslash_comma_colon();
    escape_directory_leaves_nothing_half_written();
    options_list_lower_layers_top_first();
    options_escape_every_directory();
    options_fit_in_one_page_or_are_refused();
    options_need_a_lower_layer();
    options_without_an_upper_layer_are_the_lower_ones_alone();
    return check_summary("test_overlay_options");
}
