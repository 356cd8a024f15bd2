/* CHECK and CHECK_STR for the C unit tests: print what failed, count it, go on. */
#ifndef CFS_TEST_CHECK_H
#define CFS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, __func__, #cond); \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        if (strcmp((actual), (expected)) != 0) {                                                   \
            fprintf(stderr, "%s:%d: %s:\n  expected \"%s\"\n  actual   \"%s\"\n", __FILE__,        \
                    __LINE__, __func__, (expected), (actual));                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* The end of main(): 0 when every check passed. */
static inline int
check_summary(const char *name)
{
    if (failures != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
