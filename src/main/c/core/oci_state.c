/* The OCI runtime's state under --root and the calls that read it: state,
 * start, kill, delete, list (oci_state.h says what the directory holds).
 * The launcher calls these without a JVM; the jar calls the same through
 * JNI, so each rule (the status, the messages, the order of the checks) is
 * here once. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container.h"
#include "hooks.h"
#include "oci_state.h"

#define DEFAULT_ROOT "/run/container-fs/oci"
#define STATE_MAX (1024 * 1024)

static int __attribute__((format(printf, 2, 3))) fail(cfs_oci_error_t *err, const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    vsnprintf(err->message, sizeof err->message, format, ap);
    va_end(ap);
    return -1;
}

/* DIR/NAME into a PATH_MAX buffer; -1 if it does not fit. */
static int
path_in(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

    if (n < 0 || n >= PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* A whole small file, NUL-terminated and malloc'ed; NULL with errno. */
static char *
read_text(const char *path, size_t *length)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0, room = 4096;
    char *text = NULL, *bigger;
    ssize_t got;

    if (fd < 0)
        return NULL;
    for (;;) {
        if ((bigger = realloc(text, room + 1)) == NULL)
            break;
        text = bigger;
        got = read(fd, text + n, room - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got < 0)
                break;
            close(fd);
            text[n] = '\0';
            if (length != NULL)
                *length = n;
            return text;
        }
        n += (size_t)got;
        if (n == room && (room *= 2) > STATE_MAX) {
            errno = EFBIG;
            break;
        }
    }
    int saved = errno;
    free(text);
    close(fd);
    errno = saved;
    return NULL;
}

/* FILE's contents replaced at once: written beside it, then renamed over it,
 * so a reader sees the old file or the new one. */
static int
write_atomically(const char *file, const char *text, size_t length)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(file, '/');
    int fd, n;

    n = slash != NULL
            ? snprintf(tmp, sizeof tmp, "%.*s/.%s.tmp", (int)(slash - file), file, slash + 1)
            : snprintf(tmp, sizeof tmp, ".%s.tmp", file);
    if (n < 0 || n >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (length > 0) {
        ssize_t w = write(fd, text, length);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            errno = saved;
            return -1;
        }
        text += w;
        length -= (size_t)w;
    }
    if (close(fd) < 0 || rename(tmp, file) < 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    return 0;
}

/* Closes OUT, an open_memstream(3) of *TEXT, and writes what it gathered to
 * FILE at once (write_atomically); frees the text either way. */
static int
write_gathered(const char *file, FILE *out, char **text, size_t *length)
{
    int result = fclose(out) != 0 ? -1 : write_atomically(file, *text, *length);

    free(*text);
    *text = NULL;
    return result;
}

void
cfs_oci_default_root(const char *runtime_dir, char *root, size_t size)
{
    char map[256];
    unsigned long long inside, outside, count;
    int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, map, sizeof map - 1) : -1;
    int initial = 1; /* no /proc: nothing to tell; the core's own checks still apply */

    if (fd >= 0)
        close(fd);
    if (n >= 0) {
        int words = 0;
        map[n] = '\0';
        /* The initial namespace maps all 2^32 ids to themselves, on one line. */
        words = sscanf(map, "%llu %llu %llu", &inside, &outside, &count);
        initial = words == 3 && inside == 0 && outside == 0 && count == 4294967295ULL
                  && strchr(map, '\n') == map + n - 1;
    }
    if (!initial && runtime_dir != NULL && runtime_dir[0] != '\0')
        snprintf(root, size, "%s/container-fs/oci", runtime_dir);
    else
        snprintf(root, size, "%s", DEFAULT_ROOT);
}

const char *
cfs_oci_status_name(int status)
{
    return status == CFS_OCI_CREATED   ? "created"
           : status == CFS_OCI_RUNNING ? "running"
                                       : "stopped";
}

int
cfs_oci_signal_number(const char *word)
{
    static const char *const names[] = {
        [1] = "HUP",     [2] = "INT",   [3] = "QUIT",   [4] = "ILL",   [5] = "TRAP",
        [6] = "ABRT",    [7] = "BUS",   [8] = "FPE",    [9] = "KILL",  [10] = "USR1",
        [11] = "SEGV",   [12] = "USR2", [13] = "PIPE",  [14] = "ALRM", [15] = "TERM",
        [16] = "STKFLT", [17] = "CHLD", [18] = "CONT",  [19] = "STOP", [20] = "TSTP",
        [21] = "TTIN",   [22] = "TTOU", [23] = "URG",   [24] = "XCPU", [25] = "XFSZ",
        [26] = "VTALRM", [27] = "PROF", [28] = "WINCH", [29] = "IO",   [30] = "PWR",
        [31] = "SYS",
    };
    const char *bare = strncasecmp(word, "SIG", 3) == 0 ? word + 3 : word;
    char *end;
    long n;

    if (strcasecmp(bare, "IOT") == 0)
        return SIGABRT;
    for (int i = 1; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strcasecmp(bare, names[i]) == 0)
            return i;
    /* A number as Java's Integer.parseInt reads it: an optional sign, then digits. */
    if (word[0] == '\0'
        || (!isdigit((unsigned char)word[0]) && !(strchr("+-", word[0]) && word[1])))
        return -1;
    errno = 0;
    n = strtol(word, &end, 10);
    if (errno != 0 || *end != '\0' || n < 1 || n > 64)
        return -1;
    return (int)n;
}

/* As runc: letters, digits, and _ + - . inside, so an id is one directory
 * name and one cgroup name. */
static int
check_id(const char *id, cfs_oci_error_t *err)
{
    size_t n = strlen(id);
    int ok = n > 0 && n <= CFS_OCI_ID_MAX && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;

    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)id[i]) || strchr("_-.+", id[i]) != NULL;
    if (!ok)
        return fail(err, "invalid container id '%s': 1 to 128 letters, digits, _ + - and .", id);
    return 0;
}

static int
state_dir(const char *root, const char *id, char *dir, cfs_oci_error_t *err)
{
    if (check_id(id, err) < 0)
        return -1;
    if (path_in(dir, root, id) < 0)
        return fail(err, "cannot use the state of container %s: %s", id, strerror(errno));
    return 0;
}

static int
is_directory(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Field 22 of /proc/PID/stat, the process's start time in clock ticks since
 * boot, or -1 when it is gone or a zombie. */
static long long
start_ticks(int pid)
{
    char path[64], stat[1024], *p;
    long long ticks = -1;
    int fd;
    ssize_t n;

    if (pid <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0)
        return -1;
    stat[n] = '\0';
    /* After the command's name, which may hold spaces and parentheses: the state, field 3. */
    if ((p = strrchr(stat, ')')) == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return -1;
    p += 2;
    for (int field = 3; field < 22 && p != NULL; field++)
        if ((p = strchr(p, ' ')) != NULL)
            p++;
    if (p == NULL || sscanf(p, "%lld", &ticks) != 1)
        return -1;
    return ticks;
}

static int
read_pid(const char *dir)
{
    char path[PATH_MAX], text[32];
    int fd, pid = 0;
    ssize_t n;

    if (path_in(path, dir, "pid") < 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n > 0) {
        char *end;
        long value;
        text[n] = '\0';
        value = strtol(text, &end, 10);
        while (*end == ' ' || *end == '\n')
            end++;
        pid = *end == '\0' && value > 0 && value <= 0x7fffffff ? (int)value : 0;
    }
    return pid;
}

/* created, running or stopped, from the pid, its start time and the exec FIFO. */
static int
status_of(const struct cfs_oci_state *s)
{
    char fifo[PATH_MAX];
    long long ticks = start_ticks(s->pid);

    if (ticks < 0 || (s->starttime != 0 && s->starttime != ticks))
        return CFS_OCI_STOPPED;
    return path_in(fifo, s->dir, "exec.fifo") == 0 && access(fifo, F_OK) == 0 ? CFS_OCI_CREATED
                                                                              : CFS_OCI_RUNNING;
}

/* The state file's KEY=VALUE lines into the fields, in place. */
static void
parse_fields(struct cfs_oci_state *s)
{
    s->bundle = s->rootfs = s->created = "";
    s->annotations = "{}";
    s->cgroups_path = NULL;
    s->starttime = 0;
    for (char *line = s->text, *next; line != NULL && *line != '\0'; line = next) {
        char *eq;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if ((eq = strchr(line, '=')) == NULL || eq == line)
            continue;
        *eq = '\0';
        const char *value = eq + 1;
        if (strcmp(line, "bundle") == 0)
            s->bundle = value;
        else if (strcmp(line, "rootfs") == 0)
            s->rootfs = value;
        else if (strcmp(line, "created") == 0)
            s->created = value;
        else if (strcmp(line, "annotations") == 0)
            s->annotations = value;
        else if (strcmp(line, "cgroupsPath") == 0)
            s->cgroups_path = value[0] != '\0' ? value : NULL;
        else if (strcmp(line, "starttime") == 0)
            s->starttime = strtoll(value, NULL, 10);
    }
}

/* ROOT/ID must be there: "does not exist" otherwise. */
static int
existing(const char *root, const char *id, char *dir, cfs_oci_error_t *err)
{
    if (state_dir(root, id, dir, err) < 0)
        return -1;
    if (!is_directory(dir))
        return fail(err, "container %s does not exist", id);
    return 0;
}

/* The state file and the status, of a directory known to exist. */
static int
read_state(const char *dir, const char *id, struct cfs_oci_state *s, cfs_oci_error_t *err)
{
    char path[PATH_MAX];

    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (path_in(path, dir, "state") < 0 || (s->text = read_text(path, NULL)) == NULL) {
        if (errno == ENOENT)
            return fail(err, "container %s does not exist", id);
        return fail(err, "cannot read the state of container %s: %s", id, strerror(errno));
    }
    parse_fields(s);
    s->pid = read_pid(dir);
    s->status = status_of(s);
    return 0;
}

int
cfs_oci_load(const char *root, const char *id, struct cfs_oci_state *state, cfs_oci_error_t *err)
{
    char dir[PATH_MAX];

    memset(state, 0, sizeof *state);
    if (existing(root, id, dir, err) < 0)
        return -1;
    return read_state(dir, id, state, err);
}

void
cfs_oci_state_free(struct cfs_oci_state *state)
{
    free(state->text);
    state->text = NULL;
}

void
cfs_oci_json_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* The document without its last newline (list puts several in an array). */
static void
print_document(const struct cfs_oci_state *s, FILE *out)
{
    fputs("{\n  \"ociVersion\": \"" CFS_OCI_VERSION "\",\n  \"id\": ", out);
    cfs_oci_json_string(s->id, out);
    fprintf(out, ",\n  \"status\": \"%s\",\n  \"pid\": %d,\n  \"bundle\": ",
            cfs_oci_status_name(s->status), s->status == CFS_OCI_STOPPED ? 0 : s->pid);
    cfs_oci_json_string(s->bundle, out);
    fputs(",\n  \"rootfs\": ", out);
    cfs_oci_json_string(s->rootfs, out);
    fputs(",\n  \"created\": ", out);
    cfs_oci_json_string(s->created, out);
    fprintf(out, ",\n  \"annotations\": %s\n}", s->annotations);
}

void
cfs_oci_print_state(const struct cfs_oci_state *state, FILE *out)
{
    print_document(state, out);
    fputc('\n', out);
}

char *
cfs_oci_hook_members(const struct cfs_oci_state *state)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);

    if (out == NULL)
        return NULL;
    fputs("\"id\": ", out);
    cfs_oci_json_string(state->id, out);
    fputs(", \"bundle\": ", out);
    cfs_oci_json_string(state->bundle, out);
    fprintf(out, ", \"annotations\": %s", state->annotations);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* A POSIX record lock (fcntl(2) F_SETLKW), not flock(2): create's container
 * is cloned while create holds it, and a clone keeps a copy of every
 * descriptor, with an flock on it, until it execs; record locks belong to a
 * process and are never inherited (fcntl(2), "Record locking"). */
int
cfs_oci_lock(const char *dir, const char *id, cfs_oci_error_t *err)
{
    struct flock whole = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char path[PATH_MAX];
    int fd = -1;

    if (path_in(path, dir, "lock") < 0
        || (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
        return fail(err, "cannot lock the state of container %s: %s", id, strerror(errno));
    while (fcntl(fd, F_SETLKW, &whole) < 0) {
        if (errno != EINTR) {
            int saved = errno;
            close(fd);
            return fail(err, "cannot lock the state of container %s: %s", id, strerror(saved));
        }
    }
    return fd;
}

static int
require_root(cfs_oci_error_t *err)
{
    return geteuid() == 0 ? 0 : fail(err, "container-fs needs root: run it with sudo");
}

/* ---- the kept post hooks ----
 * The file posthooks: for each hook, NUL-terminated words: its phase, its
 * timeout, its path, the count of its args, the args, the count of its
 * environment's entries, the entries.  Any byte but NUL fits. */

static void
put_word(FILE *out, const char *word)
{
    fputs(word, out);
    fputc('\0', out);
}

static int
save_hooks(const char *dir, const struct cfs_hook *hooks, int nhooks)
{
    char path[PATH_MAX], *text = NULL;
    size_t length = 0;
    FILE *out;
    int any = 0;

    for (int i = 0; i < nhooks; i++)
        any |= hooks[i].phase == CFS_HOOK_POSTSTART || hooks[i].phase == CFS_HOOK_POSTSTOP;
    if (!any)
        return 0;
    if (path_in(path, dir, "posthooks") < 0 || (out = open_memstream(&text, &length)) == NULL)
        return -1;
    for (int i = 0; i < nhooks; i++) {
        const struct cfs_hook *h = &hooks[i];
        int n;
        if (h->phase != CFS_HOOK_POSTSTART && h->phase != CFS_HOOK_POSTSTOP)
            continue;
        fprintf(out, "%d%c%d%c", h->phase, 0, h->timeout, 0);
        put_word(out, h->path);
        for (n = 0; h->argv[n] != NULL; n++) {
        }
        fprintf(out, "%d%c", n, 0);
        for (int k = 0; k < n; k++)
            put_word(out, h->argv[k]);
        for (n = 0; h->envp[n] != NULL; n++) {
        }
        fprintf(out, "%d%c", n, 0);
        for (int k = 0; k < n; k++)
            put_word(out, h->envp[k]);
    }
    return write_gathered(path, out, &text, &length);
}

/* The kept hooks: words point into *text, the arrays are malloc'ed into
 * *hooks (free each argv and envp, then the array and the text).  The count,
 * 0 without the file, or -1 with errno. */
static int
load_hooks(const char *dir, char **text, struct cfs_hook **hooks)
{
    char path[PATH_MAX];
    size_t length;
    int n = 0;

    *text = NULL;
    *hooks = NULL;
    if (path_in(path, dir, "posthooks") < 0)
        return -1;
    if ((*text = read_text(path, &length)) == NULL)
        return errno == ENOENT ? 0 : -1;
    char *p = *text, *end = *text + length;
    while (p < end) {
        struct cfs_hook h = { 0 }, *bigger;
        char **words[2] = { NULL, NULL };
        const char *w;
        h.phase = atoi(p);
        p += strlen(p) + 1;
        if (p >= end)
            break;
        h.timeout = atoi(p);
        p += strlen(p) + 1;
        if (p >= end)
            break;
        h.path = p;
        p += strlen(p) + 1;
        for (int list = 0; list < 2; list++) {
            int count = p < end ? atoi(p) : 0;
            p += p < end ? strlen(p) + 1 : 0;
            words[list] = calloc((size_t)count + 1, sizeof(char *));
            for (int k = 0; words[list] != NULL && k < count && p < end; k++) {
                w = p;
                p += strlen(p) + 1;
                words[list][k] = (char *)w;
            }
        }
        if (words[0] == NULL || words[1] == NULL
            || (bigger = realloc(*hooks, (size_t)(n + 1) * sizeof **hooks)) == NULL) {
            free(words[0]);
            free(words[1]);
            break;
        }
        h.argv = words[0];
        h.envp = words[1];
        *hooks = bigger;
        (*hooks)[n++] = h;
    }
    return n;
}

static void
free_hooks(char *text, struct cfs_hook *hooks, int n)
{
    for (int i = 0; i < n; i++) {
        free((void *)hooks[i].argv);
        free((void *)hooks[i].envp);
    }
    free(hooks);
    free(text);
}

static void
warn_with(cfs_oci_warn_fn *warn, void *context, const char *format, ...)
{
    char message[CFS_MESSAGE_MAX];
    va_list ap;

    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    if (warn != NULL)
        warn(context, message);
}

void
cfs_oci_run_post_hooks(const struct cfs_oci_state *state, int phase, const char *status, int pid,
                       cfs_oci_warn_fn *warn, void *context)
{
    const char *name = phase == CFS_HOOK_POSTSTART ? "poststart" : "poststop";
    struct cfs_hook *hooks;
    char *text, *members;
    int n = load_hooks(state->dir, &text, &hooks);

    if (n < 0) {
        warn_with(warn, context, "cannot run the %s hooks: cannot read %s/posthooks: %s", name,
                  state->dir, strerror(errno));
        return;
    }
    if (n > 0 && (members = cfs_oci_hook_members(state)) != NULL) {
        /* One at a time: as the runtime spec says, a post hook that fails is a
         * warning, and the others still run. */
        for (int i = 0; i < n; i++) {
            args_t args;
            cfs_error_t hook_err;
            char message[CFS_MESSAGE_MAX];

            if (hooks[i].phase != phase)
                continue;
            memset(&args, 0, sizeof args);
            memset(&hook_err, 0, sizeof hook_err);
            args.hooks = &hooks[i];
            args.nhooks = 1;
            args.hook_state = members;
            if (cfs_run_hooks(&args, phase, status, pid, &hook_err) < 0) {
                cfs_format_error(&hook_err, message, sizeof message);
                warn_with(warn, context, "%s", message);
            }
        }
        free(members);
    }
    free_hooks(text, hooks, n);
}

/* ---- the calls ---- */

int
cfs_oci_start(const char *root, const char *id, cfs_oci_warn_fn *warn, void *context,
              cfs_oci_error_t *err)
{
    char dir[PATH_MAX], fifo[PATH_MAX];
    struct cfs_oci_state s;
    int lock, result = -1;

    if (existing(root, id, dir, err) < 0 || require_root(err) < 0
        || (lock = cfs_oci_lock(dir, id, err)) < 0)
        return -1;
    if (read_state(dir, id, &s, err) < 0) {
        /* fall through to unlock */
    } else if (s.status != CFS_OCI_CREATED) {
        fail(err, "cannot start container %s: it is %s, not created", id,
             cfs_oci_status_name(s.status));
    } else if (path_in(fifo, dir, "exec.fifo") < 0 || cfs_start_created(fifo, s.pid) < 0) {
        fail(err, "cannot start container %s: its process is gone", id);
    } else {
        cfs_oci_run_post_hooks(&s, CFS_HOOK_POSTSTART, "running", s.pid, warn, context);
        result = 0;
    }
    cfs_oci_state_free(&s);
    close(lock);
    return result;
}

int
cfs_oci_kill(const char *root, const char *id, const char *signal, int all, int *number,
             cfs_oci_error_t *err)
{
    char dir[PATH_MAX];
    struct cfs_oci_state s;
    int sig, result = -1;

    if (existing(root, id, dir, err) < 0)
        return -1;
    if ((sig = cfs_oci_signal_number(signal)) < 0)
        return fail(err, "unknown signal '%s': a name such as TERM or KILL, or a number", signal);
    *number = sig;
    if (read_state(dir, id, &s, err) < 0)
        return -1;
    if (s.status == CFS_OCI_STOPPED) {
        fail(err, "cannot kill container %s: it is stopped", id);
    } else if (require_root(err) < 0) {
        /* err filled */
    } else if (all) {
        cfs_signal_container(id, s.cgroups_path, sig);
        /* Its init too: under a rootless engine the container has no cgroup to
         * list its processes, and its other processes end with init, as runc's
         * rootless kill --all does without one. */
        kill(s.pid, sig);
        result = 0;
    } else if (kill(s.pid, sig) < 0) {
        fail(err, "cannot kill container %s: its process is gone", id);
    } else {
        result = 0;
    }
    cfs_oci_state_free(&s);
    return result;
}

int
cfs_oci_delete(const char *root, const char *id, int force, cfs_oci_warn_fn *warn, void *context,
               cfs_oci_error_t *err)
{
    char dir[PATH_MAX];
    struct cfs_oci_state s;
    int lock, result = -1;

    if (state_dir(root, id, dir, err) < 0)
        return -1;
    if (!is_directory(dir))
        return force ? 0 : fail(err, "container %s does not exist", id);
    if (require_root(err) < 0 || (lock = cfs_oci_lock(dir, id, err)) < 0)
        return -1;
    if (read_state(dir, id, &s, err) < 0) {
        /* err filled */
    } else if (s.status != CFS_OCI_STOPPED && !force) {
        fail(err, "cannot delete container %s: it is %s; stop it first, or use --force", id,
             cfs_oci_status_name(s.status));
    } else {
        if (s.status != CFS_OCI_STOPPED)
            kill(s.pid, SIGKILL);
        cfs_remove_container_cgroup(id, s.cgroups_path); /* kills what is left in it first */
        cfs_oci_run_post_hooks(&s, CFS_HOOK_POSTSTOP, "stopped", s.pid, warn, context);
        result = 0;
    }
    cfs_oci_state_free(&s);
    close(lock);
    return result < 0 ? -1 : cfs_oci_remove(root, id, err);
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids under ROOT with a state file, sorted: malloc'ed, each too; their
 * count, or -1 with errno (none when ROOT is not there). */
static int
list_ids(const char *root, char ***ids)
{
    DIR *d = opendir(root);
    struct dirent *e;
    int n = 0;

    *ids = NULL;
    if (d == NULL)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        char **bigger;
        if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || strcmp(e->d_name, "..") == 0))
            continue;
        if (snprintf(path, sizeof path, "%s/%s/state", root, e->d_name) >= (int)sizeof path
            || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if ((bigger = realloc(*ids, (size_t)(n + 1) * sizeof **ids)) == NULL
            || (bigger[n] = strdup(e->d_name)) == NULL) {
            *ids = bigger != NULL ? bigger : *ids;
            break;
        }
        *ids = bigger;
        n++;
    }
    closedir(d);
    qsort(*ids, (size_t)n, sizeof **ids, compare_names);
    return n;
}

int
cfs_oci_list(const char *root, int json, int quiet, FILE *out, cfs_oci_error_t *err)
{
    char **ids, dir[PATH_MAX];
    int n = list_ids(root, &ids), result = 0;

    if (n < 0)
        return fail(err, "cannot list %s: %s", root, strerror(errno));
    if (!quiet && !json)
        fprintf(out, "%-20s %-8s %-8s %s\n", "ID", "PID", "STATUS", "BUNDLE");
    if (!quiet && json)
        fputc('[', out);
    for (int i = 0; i < n; i++) {
        struct cfs_oci_state s;
        if (result == 0 && path_in(dir, root, ids[i]) == 0
            && (result = read_state(dir, ids[i], &s, err)) == 0) {
            if (quiet)
                fprintf(out, "%s\n", ids[i]);
            else if (!json)
                fprintf(out, "%-20s %-8d %-8s %s\n", ids[i],
                        s.status == CFS_OCI_STOPPED ? 0 : s.pid, cfs_oci_status_name(s.status),
                        s.bundle);
            else {
                if (i > 0)
                    fputc(',', out);
                print_document(&s, out);
            }
            cfs_oci_state_free(&s);
        }
        free(ids[i]);
    }
    free(ids);
    if (!quiet && json && result == 0)
        fputs("]\n", out);
    return result;
}

/* ---- ps ---- */

static int
compare_pids(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* One row of ps's table, read from /proc/PID/status and cmdline: nothing
 * once the process is gone. */
static void
print_process(int pid, FILE *out)
{
    char path[64], line[512], uid[32] = "?", ppid[32] = "?", name[64] = "", command[4096];
    size_t n = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if ((f = fopen(path, "re")) == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        sscanf(line, "Uid: %31s", uid);
        sscanf(line, "PPid: %31s", ppid);
        if (sscanf(line, "Name: %61s", name + 1) == 1) {
            name[0] = '[';
            strcat(name, "]");
        }
    }
    fclose(f);
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    if ((f = fopen(path, "re")) == NULL)
        return;
    n = fread(command, 1, sizeof command - 1, f);
    fclose(f);
    for (size_t i = 0; i < n; i++)
        if (command[i] == '\0')
            command[i] = ' ';
    while (n > 0 && isspace((unsigned char)command[n - 1]))
        n--;
    command[n] = '\0';
    fprintf(out, "%-8s %-8d %-8s %s\n", uid, pid, ppid, n > 0 ? command : name);
}

int
cfs_oci_ps(const char *root, const char *id, int json, FILE *out, cfs_oci_error_t *err)
{
    enum { MAX_PIDS = 65536 };
    struct cfs_oci_state s;
    int *pids, n;

    if (cfs_oci_load(root, id, &s, err) < 0)
        return -1;
    if (require_root(err) < 0) {
        cfs_oci_state_free(&s);
        return -1;
    }
    if ((pids = malloc(MAX_PIDS * sizeof *pids)) == NULL) {
        cfs_oci_state_free(&s);
        return fail(err, "out of memory");
    }
    n = cfs_container_pids(s.id, s.cgroups_path, pids, MAX_PIDS);
    qsort(pids, (size_t)n, sizeof *pids, compare_pids);
    if (json) {
        fputc('[', out);
        for (int i = 0; i < n; i++)
            fprintf(out, i > 0 ? ",%d" : "%d", pids[i]);
        fputs("]\n", out);
    } else {
        fprintf(out, "%-8s %-8s %-8s %s\n", "UID", "PID", "PPID", "CMD");
        for (int i = 0; i < n; i++)
            print_process(pids[i], out);
    }
    free(pids);
    cfs_oci_state_free(&s);
    return 0;
}

/* ---- create ---- */

/* mkdir -p ROOT: 0, or -1 with errno. */
static int
make_root(const char *root)
{
    char dir[PATH_MAX];

    if (snprintf(dir, sizeof dir, "%s", root) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *slash = strchr(dir + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash != NULL)
            *slash = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return -1;
        if (slash == NULL)
            return is_directory(dir) ? 0 : (errno = ENOTDIR, -1);
        *slash = '/';
    }
}

static int
write_state(const char *dir, const char *const *keys, const char *const *values, int nfields)
{
    char path[PATH_MAX], *text = NULL;
    size_t length = 0;
    FILE *out;

    if (path_in(path, dir, "state") < 0 || (out = open_memstream(&text, &length)) == NULL)
        return -1;
    for (int i = 0; i < nfields; i++) {
        fprintf(out, "%s=", keys[i]);
        for (const char *c = values[i]; *c != '\0'; c++) /* one line each */
            fputc(*c == '\n' ? ' ' : *c, out);
        fputc('\n', out);
    }
    return write_gathered(path, out, &text, &length);
}

int
cfs_oci_create_state(const char *root, const char *id, const char *const *keys,
                     const char *const *values, int nfields, const struct cfs_hook *hooks,
                     int nhooks, cfs_oci_error_t *err)
{
    char dir[PATH_MAX];
    int lock;
    cfs_oci_error_t ignored;

    if (state_dir(root, id, dir, err) < 0)
        return -1;
    if (make_root(root) < 0 || mkdir(dir, 0711) < 0) {
        if (errno == EEXIST)
            return fail(err, "container %s exists already", id);
        return fail(err, "cannot make the state directory %s: %s", dir, strerror(errno));
    }
    if ((lock = cfs_oci_lock(dir, id, err)) < 0) {
        cfs_oci_remove(root, id, &ignored);
        return -1;
    }
    if (write_state(dir, keys, values, nfields) < 0 || save_hooks(dir, hooks, nhooks) < 0) {
        fail(err, "cannot write the state of container %s in %s: %s", id, dir, strerror(errno));
        cfs_oci_remove(root, id, &ignored);
        close(lock);
        return -1;
    }
    return lock;
}

/* The state file with starttime set to TICKS, the other fields kept. */
static int
record_start_time(const struct cfs_oci_state *s, const char *old_text, long long ticks)
{
    char path[PATH_MAX], *text = NULL;
    size_t length = 0;
    FILE *out;

    if (path_in(path, s->dir, "state") < 0 || (out = open_memstream(&text, &length)) == NULL)
        return -1;
    for (const char *line = old_text, *next; *line != '\0'; line = next) {
        size_t n = (next = strchr(line, '\n')) != NULL ? (size_t)(next++ - line) : strlen(line);
        if (next == NULL)
            next = line + n;
        if (strncmp(line, "starttime=", 10) == 0)
            fprintf(out, "starttime=%lld\n", ticks);
        else
            fprintf(out, "%.*s\n", (int)n, line);
    }
    return write_gathered(path, out, &text, &length);
}

int
cfs_oci_created(const char *root, const char *id, const char *pid_file, cfs_oci_error_t *err)
{
    char dir[PATH_MAX], path[PATH_MAX], number[32], *old = NULL;
    struct cfs_oci_state s;
    int pid = -1;

    if (existing(root, id, dir, err) < 0 || path_in(path, dir, "state") < 0)
        return -1;
    if ((old = read_text(path, NULL)) == NULL || read_state(dir, id, &s, err) < 0) {
        free(old);
        return fail(err, "cannot read the state of container %s: %s", id, strerror(errno));
    }
    if (record_start_time(&s, old, start_ticks(s.pid)) < 0) {
        fail(err, "cannot write %s: %s", path, strerror(errno));
    } else if (pid_file != NULL
               && (snprintf(number, sizeof number, "%d", s.pid),
                   write_atomically(pid_file, number, strlen(number)) < 0)) {
        fail(err, "cannot write %s: %s", pid_file, strerror(errno));
    } else {
        pid = s.pid;
    }
    free(old);
    cfs_oci_state_free(&s);
    return pid;
}

int
cfs_oci_remove(const char *root, const char *id, cfs_oci_error_t *err)
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct dirent *e;
    DIR *d;

    if (state_dir(root, id, dir, err) < 0)
        return -1;
    if ((d = opendir(dir)) == NULL)
        return errno == ENOENT
                   ? 0
                   : fail(err, "cannot remove the state of container %s: %s", id, strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0
            && path_in(path, dir, e->d_name) == 0)
            unlink(path);
    closedir(d);
    if (rmdir(dir) < 0 && errno != ENOENT) {
        if (errno == ENOTEMPTY || errno == EEXIST)
            return fail(err, "cannot remove the state of container %s: %s is not empty", id, dir);
        return fail(err, "cannot remove the state of container %s: %s", id, strerror(errno));
    }
    return 0;
}

/* ---- --log ---- */

void
cfs_oci_log(const char *log, int json, const char *level, const char *message, FILE *errors)
{
    char time_text[64], *text = NULL, one_line[CFS_MESSAGE_MAX];
    size_t length = 0;
    struct timespec now;
    struct tm utc;
    FILE *line;
    int fd;

    if (log == NULL)
        return;
    snprintf(one_line, sizeof one_line, "%s", message);
    for (char *c = one_line; *c != '\0'; c++)
        if (*c == '\n')
            *c = ' ';
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &utc);
    strftime(time_text, sizeof time_text, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(time_text + strlen(time_text), sizeof time_text - strlen(time_text), ".%09ldZ",
             now.tv_nsec);
    if ((line = open_memstream(&text, &length)) == NULL)
        return;
    if (json) {
        fprintf(line, "{\"level\":\"%s\",\"msg\":", level);
        cfs_oci_json_string(one_line, line);
        fprintf(line, ",\"time\":\"%s\"}\n", time_text);
    } else {
        fprintf(line, "time=\"%s\" level=%s msg=", time_text, level);
        cfs_oci_json_string(one_line, line);
        fputc('\n', line);
    }
    fclose(line);
    /* One write(2) with O_APPEND: lines of concurrent calls do not mix. */
    fd = text != NULL ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666) : -1;
    if (fd < 0 || write(fd, text, length) != (ssize_t)length)
        fprintf(errors, "container-fs: cannot write the log %s: %s\n", log, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(text);
}
