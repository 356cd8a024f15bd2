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

/* NAME=VALUE replaces the variable NAME, or is added at the end. */
static int
set(struct list *l, const char *entry)
{
    size_t name = strcspn(entry, "=");

    for (size_t i = 0; i < l->count; i++)
        if (strncmp(l->items[i], entry, name) == 0 && l->items[i][name] == '=') {
            char *copy = strdup(entry);
            if (copy == NULL)
                return -1;
            free(l->items[i]);
            l->items[i] = copy;
            return 0;
        }
    return add(l, entry);
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

    if (add(l, DEFAULT_PATH) < 0 || add_formatted(l, "HOSTNAME", hostname) < 0
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
        failed = set(&l, args->env[i]) < 0;
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
