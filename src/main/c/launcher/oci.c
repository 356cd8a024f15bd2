/* The OCI runtime's calls the launcher answers itself, without a JVM: state,
 * start, kill, delete, list and ps, the calls an engine makes most often
 * around each container (Podman's run --rm: create, start, delete --force;
 * the containerd shim adds kill, state, and ps for docker top).  Their work is the core's
 * (core/oci_state.c), the same code the jar calls through JNI; this file
 * only reads the command line as io.containerfs.oci.OciCommand reads it
 * (runc's global options, then the command's options, the same usage
 * errors), and prints, logs and exits as it does.  Every other command
 * (create, run, exec, spec, features, pull, the run form) goes to the
 * JVM. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "oci_state.h"

#define FAILED 125
#define USAGE 2

/* What the global options said. */
struct globals {
    char root[PATH_MAX];
    const char *log; /* NULL without --log */
    int json;        /* --log-format json */
    int debug;
};

/* One command's options, as OciCommand's Options.parse takes them. */
struct options {
    const char *value_names[3]; /* the options with a value, NULL-ended */
    const char *flag_names[3];  /* the flags, NULL-ended */
    const char *value;          /* the value given (the last one), or NULL */
    int flag;                   /* whether a flag was given */
    char **positional;
    int npositional;
};

static void
say(const struct globals *g, const char *level, const char *prefix, const char *message)
{
    char line[CFS_MESSAGE_MAX];

    snprintf(line, sizeof line, "%s", message);
    for (char *c = line; *c != '\0'; c++)
        if (*c == '\n')
            *c = ' ';
    fprintf(stderr, "container-fs: %s%s\n", prefix, line);
    cfs_oci_log(g->log, g->json, level, message, stderr);
}

static int __attribute__((format(printf, 3, 4)))
fail(const struct globals *g, int status, const char *format, ...)
{
    char message[CFS_MESSAGE_MAX];
    va_list ap;

    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    say(g, "error", "", message);
    return status;
}

static void
warn(void *context, const char *message)
{
    say(context, "warning", "warning: ", message);
}

static void __attribute__((format(printf, 2, 3)))
debug(const struct globals *g, const char *format, ...)
{
    char message[CFS_MESSAGE_MAX];
    va_list ap;

    if (!g->debug)
        return;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    if (g->log == NULL)
        fprintf(stderr, "container-fs: %s\n", message);
    cfs_oci_log(g->log, g->json, "debug", message, stderr);
}

static int
listed(const char *const *names, const char *name, size_t length)
{
    for (; *names != NULL; names++)
        if (strlen(*names) == length && strncmp(*names, name, length) == 0)
            return 1;
    return 0;
}

/* --root's value as Java's Path.of(value).toAbsolutePath() makes it: below the
 * current directory unless absolute, without repeated or trailing slashes. */
static int
absolute(const char *value, char *out)
{
    char cwd[PATH_MAX], joined[2 * PATH_MAX + 2];
    size_t n = 0;

    if (value[0] == '/')
        snprintf(joined, sizeof joined, "%s", value);
    else if (getcwd(cwd, sizeof cwd) != NULL)
        snprintf(joined, sizeof joined, "%s/%s", cwd, value);
    else
        return -1;
    for (const char *c = joined; *c != '\0' && n + 1 < PATH_MAX; c++)
        if (*c != '/' || n == 0 || out[n - 1] != '/')
            out[n++] = *c;
    if (n > 1 && out[n - 1] == '/')
        n--;
    out[n] = '\0';
    return 0;
}

/* runc's global options: the index of the command's word, or -1 with *status
 * set when they were wrong. */
static int
global_options(int argc, char **argv, struct globals *g, int *status)
{
    static const char *const with_value[]
        = { "--root", "--log", "--log-format", "--criu", "--rootless", NULL };
    int i = 1;

    cfs_oci_default_root(getenv("XDG_RUNTIME_DIR"), g->root, sizeof g->root);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i], *eq = strchr(a, '='), *value = NULL;
        size_t length = eq != NULL ? (size_t)(eq - a) : strlen(a);
        char name[64];

        snprintf(name, sizeof name, "%.*s", (int)length, a);
        if (listed(with_value, a, length)) {
            if (eq != NULL)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return *status = fail(g, USAGE, "%s needs a value", name), -1;
        }
        if (strcmp(name, "--root") == 0) {
            if (absolute(value, g->root) < 0)
                return *status = fail(g, FAILED, "cannot tell the current directory"), -1;
        } else if (strcmp(name, "--log") == 0) {
            g->log = value;
        } else if (strcmp(name, "--log-format") == 0) {
            if (strcmp(value, "text") != 0 && strcmp(value, "json") != 0)
                return *status = fail(g, USAGE, "--log-format must be text or json, not %s", value),
                       -1;
            g->json = strcmp(value, "json") == 0;
        } else if (strcmp(name, "--debug") == 0) {
            g->debug = 1;
        } else if (strcmp(name, "--systemd-cgroup") == 0) {
            return *status = fail(g, FAILED,
                                  "--systemd-cgroup is not supported: container-fs manages its "
                                  "cgroups itself (cgroupfs); use the engine's cgroupfs manager"),
                   -1;
        } else {
            return *status = fail(g, FAILED, "%s is not supported", name), -1;
        }
    }
    return i;
}

/* The command's options and words (ARGV[0..ARGC)); POSITIONALS: how many
 * words must follow, or -1 for any number.  0, or the usage status. */
static int
parse(const struct globals *g, int argc, char **argv, struct options *o, int positionals)
{
    int i = 0;

    for (; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t length = strncmp(a, "--", 2) == 0 && eq != NULL ? (size_t)(eq - a) : strlen(a);

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0)
            break;
        if (listed(o->value_names, a, length)) {
            if (strncmp(a, "--", 2) == 0 && eq != NULL)
                o->value = eq + 1;
            else if (i + 1 < argc)
                o->value = argv[++i];
            else
                return fail(g, USAGE, "%.*s needs a value", (int)length, a);
        } else if (listed(o->flag_names, a, length) && eq == NULL) {
            o->flag = 1;
        } else {
            return fail(g, USAGE, "unknown option %s", a);
        }
    }
    o->positional = argv + i;
    o->npositional = argc - i;
    if (positionals >= 0 && o->npositional != positionals) {
        if (positionals == 0)
            return fail(g, USAGE, "unexpected argument %s", o->positional[0]);
        if (o->npositional == 0)
            return fail(g, USAGE, "missing the container id");
        /* As Java prints a list: [a, b] */
        char words[CFS_MESSAGE_MAX];
        size_t n = 0;
        n += (size_t)snprintf(words, sizeof words, "[");
        for (int k = 0; k < o->npositional && n < sizeof words; k++)
            n += (size_t)snprintf(words + n, sizeof words - n, "%s%s", k > 0 ? ", " : "",
                                  o->positional[k]);
        if (n < sizeof words)
            snprintf(words + n, sizeof words - n, "]");
        return fail(g, USAGE, "too many arguments: %s", words);
    }
    return 0;
}

static int
state(const struct globals *g, int argc, char **argv)
{
    struct options o = { { NULL }, { NULL }, NULL, 0, NULL, 0 };
    struct cfs_oci_state s;
    cfs_oci_error_t err;
    int status = parse(g, argc, argv, &o, 1);

    if (status != 0)
        return status;
    if (cfs_oci_load(g->root, o.positional[0], &s, &err) < 0)
        return fail(g, FAILED, "%s", err.message);
    cfs_oci_print_state(&s, stdout);
    cfs_oci_state_free(&s);
    return 0;
}

static int
start(const struct globals *g, int argc, char **argv)
{
    struct options o = { { NULL }, { NULL }, NULL, 0, NULL, 0 };
    cfs_oci_error_t err;
    int status = parse(g, argc, argv, &o, 1);

    if (status != 0)
        return status;
    if (cfs_oci_start(g->root, o.positional[0], warn, (void *)g, &err) < 0)
        return fail(g, FAILED, "%s", err.message);
    debug(g, "start: container %s", o.positional[0]);
    return 0;
}

static int
kill_command(const struct globals *g, int argc, char **argv)
{
    struct options o = { { NULL }, { "--all", "-a", NULL }, NULL, 0, NULL, 0 };
    cfs_oci_error_t err;
    int number, status = parse(g, argc, argv, &o, -1);

    if (status != 0)
        return status;
    if (o.npositional < 1 || o.npositional > 2)
        return fail(g, USAGE, "usage: kill [--all] ID [SIGNAL]");
    if (cfs_oci_kill(g->root, o.positional[0], o.npositional == 2 ? o.positional[1] : "SIGTERM",
                     o.flag, &number, &err)
        < 0)
        return fail(g, FAILED, "%s", err.message);
    debug(g, "kill: container %s, signal %d", o.positional[0], number);
    return 0;
}

static int
delete_command(const struct globals *g, int argc, char **argv)
{
    struct options o = { { NULL }, { "--force", "-f", NULL }, NULL, 0, NULL, 0 };
    cfs_oci_error_t err;
    int status = parse(g, argc, argv, &o, 1);

    if (status != 0)
        return status;
    if (cfs_oci_delete(g->root, o.positional[0], o.flag, warn, (void *)g, &err) < 0)
        return fail(g, FAILED, "%s", err.message);
    debug(g, "delete: container %s", o.positional[0]);
    return 0;
}

static int
list(const struct globals *g, int argc, char **argv)
{
    struct options o = { { "--format", "-f", NULL }, { "--quiet", "-q", NULL }, NULL, 0, NULL, 0 };
    cfs_oci_error_t err;
    const char *format;
    int status = parse(g, argc, argv, &o, 0);

    if (status != 0)
        return status;
    format = o.value != NULL ? o.value : "table";
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return fail(g, USAGE, "--format must be table or json, not %s", format);
    if (cfs_oci_list(g->root, strcmp(format, "json") == 0, o.flag, stdout, &err) < 0)
        return fail(g, FAILED, "%s", err.message);
    return 0;
}

static int
ps(const struct globals *g, int argc, char **argv)
{
    struct options o = { { "--format", "-f", NULL }, { NULL }, NULL, 0, NULL, 0 };
    cfs_oci_error_t err;
    const char *format;
    int status = parse(g, argc, argv, &o, -1);

    if (status != 0)
        return status;
    if (o.npositional != 1)
        return fail(g, USAGE, "%s",
                    o.npositional == 0
                        ? "missing the container id"
                        : "ps takes the container id alone: options of ps(1) are not supported");
    format = o.value != NULL ? o.value : "table";
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return fail(g, USAGE, "--format must be table or json, not %s", format);
    if (cfs_oci_ps(g->root, o.positional[0], strcmp(format, "json") == 0, stdout, &err) < 0)
        return fail(g, FAILED, "%s", err.message);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(const struct globals *g, int argc, char **argv);
} CALLS[] = {
    { "state", state },           { "start", start }, { "kill", kill_command },
    { "delete", delete_command }, { "list", list },   { "ps", ps },
};

int
oci_fast_call(int argc, char **argv, int *status)
{
    static struct globals g; /* warn's context outlives nothing: static is enough */
    int i = 1;

    /* Which command: the first word after the global options, skipped as the
     * launcher's is_oci_form skips them. */
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        static const char *const with_value[]
            = { "--root", "--log", "--log-format", "--criu", "--rootless", NULL };
        size_t name = strcspn(argv[i], "=");
        i += listed(with_value, argv[i], name) && argv[i][name] == '\0' ? 2 : 1;
    }
    for (size_t k = 0; i < argc && k < sizeof CALLS / sizeof CALLS[0]; k++) {
        if (strcmp(argv[i], CALLS[k].name) != 0)
            continue;
        int command = global_options(argc, argv, &g, status);
        if (command >= 0)
            *status = CALLS[k].run(&g, argc - command - 1, argv + command + 1);
        fflush(stdout);
        return 1;
    }
    return 0;
}
