/* The command's environment.  As docker run: a clean one, not the host's
 * (whose tokens, SUDO_* and PATH are nobody's business inside), holding
 * PATH, HOSTNAME, HOME and, on a terminal, TERM; then the user's -e and
 * --env-file entries, each replacing a variable of the same name.  With
 * --env-host, container-fs's own environment instead of the clean one, as
 * podman's option. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "environment.h"

extern char **environ;

/* Docker's default PATH (moby's oci/defaults.go). */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct list {
    char **items;
    size_t count;
    size_t room;
};

static int
add(struct list *l, const char *entry)
{
    char *copy = strdup(entry);

    if (copy == NULL)
        return -1;
    if (l->count + 1 >= l->room) {
        size_t room = l->room == 0 ? 16 : 2 * l->room;
        char **items = realloc(l->items, room * sizeof *items);
        if (items == NULL) {
            free(copy);
            return -1;
        }
        l->items = items;
        l->room = room;
    }
    l->items[l->count++] = copy;
    l->items[l->count] = NULL;
    return 0;
}

/* An entry of the list and its place, to sort by name. */
struct named {
    const char *entry;
    size_t index;
};

static int
by_name_then_place(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    size_t nx = strcspn(x->entry, "="), ny = strcspn(y->entry, "=");
    int c = strncmp(x->entry, y->entry, nx < ny ? nx : ny);

    if (c == 0 && nx != ny)
        c = nx < ny ? -1 : 1;
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : 1;
}

/* A later NAME=VALUE replaces an earlier variable NAME, in the earlier
 * one's place.  Sorted, not compared pair by pair: an --env-file may hold a
 * hundred thousand variables. */
static int
merge_duplicates(struct list *l)
{
    struct named *sorted = calloc(l->count + 1, sizeof *sorted);
    size_t kept = 0;

    if (sorted == NULL)
        return -1;
    for (size_t i = 0; i < l->count; i++)
        sorted[i] = (struct named){ l->items[i], i };
    qsort(sorted, l->count, sizeof *sorted, by_name_then_place);
    for (size_t first = 0, last; first < l->count; first = last + 1) {
        size_t name = strcspn(sorted[first].entry, "=");

        for (last = first; last + 1 < l->count && strcspn(sorted[last + 1].entry, "=") == name
                           && strncmp(sorted[last + 1].entry, sorted[first].entry, name) == 0;
             last++) {
        }
        if (last == first)
            continue;
        /* The last value, in the first place; the others go. */
        free(l->items[sorted[first].index]);
        l->items[sorted[first].index] = l->items[sorted[last].index];
        for (size_t k = first + 1; k < last; k++)
            free(l->items[sorted[k].index]);
        for (size_t k = first + 1; k <= last; k++)
            l->items[sorted[k].index] = NULL;
    }
    free(sorted);
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i] != NULL)
            l->items[kept++] = l->items[i];
    l->count = kept;
    l->items[kept] = NULL;
    return 0;
}

static int
add_formatted(struct list *l, const char *name, const char *value)
{
    char entry[4096];

    snprintf(entry, sizeof entry, "%s=%s", name, value);
    return add(l, entry);
}

/* The clean environment docker run starts from. */
static int
add_defaults(struct list *l, const args_t *args, const char *hostname)
{
    const char *term = getenv("TERM");

    if (add(l, DEFAULT_PATH) < 0
        || (hostname[0] != '\0' && add_formatted(l, "HOSTNAME", hostname) < 0)
        || add_formatted(l, "HOME", args->home != NULL ? args->home : "/root") < 0)
        return -1;
    if ((args->tty || isatty(STDIN_FILENO))
        && add_formatted(l, "TERM", term != NULL && term[0] != '\0' ? term : "xterm") < 0)
        return -1;
    return 0;
}

char **
cfs_build_environment(const args_t *args, const char *hostname, cfs_error_t *err)
{
    struct list l = { .items = NULL };
    int failed = 0;

    if (args->env_host) {
        for (char **e = environ; e != NULL && *e != NULL && !failed; e++)
            failed = add(&l, *e) < 0;
    } else {
        failed = add_defaults(&l, args, hostname) < 0;
    }
    for (int i = 0; i < args->nenv && !failed; i++)
        failed = add(&l, args->env[i]) < 0;
    if (!failed && l.items != NULL)
        failed = merge_duplicates(&l) < 0;
    if (!failed && l.items == NULL)
        failed = (l.items = calloc(1, sizeof *l.items)) == NULL;
    if (failed) {
        cfs_free_environment(l.items);
        errno = ENOMEM;
        cfs_set_error(err, CFS_STEP_PREPARE, "environment", errno);
        return NULL;
    }
    return l.items;
}

void
cfs_free_environment(char **env)
{
    for (char **e = env; e != NULL && *e != NULL; e++)
        free(*e);
    free(env);
}
