/* Unit tests of environment.c: the command's environment, docker run's
 * clean one plus -e and --env-file, a later variable replacing an earlier
 * one of the same name in its place.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "environment.h"

/* The environment as one line, entries joined by spaces; TERM left out, which
 * depends on whether the test runs on a terminal. */
static const char *
joined(char **env)
{
    static char line[4096];
    size_t len = 0;

    line[0] = '\0';
    for (char **e = env; e != NULL && *e != NULL && len + strlen(*e) + 2 < sizeof line; e++)
        if (strncmp(*e, "TERM=", 5) != 0)
            len += (size_t)sprintf(line + len, "%s%s", len == 0 ? "" : " ", *e);
    return line;
}

static void
a_later_variable_replaces_an_earlier_one_in_its_place(void)
{
    char *entries[] = { "A=1", "B=2", "A=3", "PATH=/bin", "C", "C=4", "AB=5" };
    args_t args = { .env = entries, .nenv = 7, .home = "/home/u" };
    cfs_error_t err;
    char **env = cfs_build_environment(&args, "h", &err);

    CHECK(env != NULL);
    CHECK_STR(joined(env), "PATH=/bin HOSTNAME=h HOME=/home/u A=3 B=2 C=4 AB=5");
    cfs_free_environment(env);
}

/* Many variables, most of them repeated: each name once, its last value. */
static void
a_hundred_thousand_variables_merge_by_name(void)
{
    enum { N = 100000 };
    char **entries = calloc(N, sizeof *entries);
    args_t args = { .env = entries, .nenv = N };
    cfs_error_t err;
    char **env;
    size_t count = 0;

    for (int i = 0; i < N; i++) {
        entries[i] = malloc(32);
        snprintf(entries[i], 32, "V%d=%d", i % 1000, i);
    }
    env = cfs_build_environment(&args, "h", &err);
    CHECK(env != NULL);
    for (char **e = env; e != NULL && *e != NULL; e++)
        count += strncmp(*e, "V", 1) == 0;
    CHECK(count == 1000);
    CHECK(strstr(joined(env), "HOME=/root V0=99000 V1=99001 ") != NULL);
    cfs_free_environment(env);
    for (int i = 0; i < N; i++)
        free(entries[i]);
    free(entries);
}

int
main(void)
{
    a_later_variable_replaces_an_earlier_one_in_its_place();
    a_hundred_thousand_variables_merge_by_name();
    return check_summary("test_environment");
}
