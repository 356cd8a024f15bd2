/* The plain C front end: the same command line, checks, messages and exit
 * codes as `java -jar container-fs.jar`, around the same core the JNI bridge
 * calls.  Read it beside the course's container-template.c: the steps are
 * numbered as docs/TEACHING.md numbers them.
 *
 *   ./container-fs [--workdir DIR] [--trace] LAYER... WRITEDIR -- COMMAND [ARG...]
 *
 * Everything the child needs (args_t) is built here, before clone(): the
 * core's child makes system calls only. */
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

#ifndef CFS_VERSION
#define CFS_VERSION "(development build)"
#endif

#define SEPARATOR "--"

/* The command line, as typed: pointers into argv, nothing copied. */
struct request {
    char **layers; /* bottom to top; the last one is WRITEDIR */
    int nlayers;
    const char *workdir; /* --workdir DIR, or NULL */
    char **command;      /* argv + n: the container's own argv */
    int ncommand;
    int trace;
};

/* The layers as real paths (realpath(3)), as the Java front end passes them. */
struct stack {
    char **real; /* nlayers entries: the lower layers, then the upper one */
    int nlayers;
    char *workdir; /* NULL when none was given */
};

static const char help_text[]
    = "usage: container-fs [OPTIONS] LAYER... WRITEDIR -- COMMAND [ARG...]\n"
      "\n"
      "Run COMMAND in a new mount and PID namespace whose root is an overlay of the layers, listed "
      "bottom\n"
      "to top. The last directory, WRITEDIR, is the writable upper layer: every change the "
      "container makes\n"
      "lands there, and the other layers are never modified. COMMAND is looked up in the "
      "container's PATH,\n"
      "as execvp(3) does. Needs root (sudo).\n"
      "\n"
      "  -h,--help           print this help and exit\n"
      "     --trace          print the system calls that build the container to stderr, as strace "
      "would\n"
      "  -V,--version        print the version and exit\n"
      "  -w,--workdir <DIR>  overlayfs work directory: empty, on the same filesystem as WRITEDIR "
      "(default:\n"
      "                      a new one beside WRITEDIR, removed afterwards)\n"
      "\n"
      "Exit status:\n"
      "  the command's own exit status, or 128+N when it was killed by signal N\n"
      "  125  container-fs itself failed (bad arguments, a set-up step of the container)\n"
      "  126  the command exists in the container but cannot be run\n"
      "  127  the command was not found in the container\n"
      "\n"
      "Example:\n"
      "  sudo ./container-fs rootfs app writedir -- sh\n";

/* "container-fs: …" on stderr, as the Java front end prints it; returns 125. */
static int complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
complain(const char *fmt, ...)
{
    va_list ap;

    fputs("container-fs: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CFS_EXIT_FAILED;
}

/* ---- step 1: parse and check the arguments ---- */

/* Whether word names an option of ours (CommandLineSpec's options). */
static int
is_our_option(const char *word)
{
    static const char *const names[]
        = { "-h", "--help", "-V", "--version", "-w", "--workdir", "--trace" };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(word, names[i], n) == 0 && (word[n] == '\0' || word[n] == '='))
            return 1;
    }
    return 0;
}

/* Our options stand before the layers; the first word that is not one of
 * them ends them (as Commons CLI's stopAtNonOption in CommandLineSpec), and
 * everything after "--" is the container's argv, never read as options.
 * Returns 0, 1 when --help or --version was answered, or an exit code > 1. */
static int
parse_command_line(int argc, char **argv, struct request *req)
{
    int sep = 1, i = 1;
    int help = 0, version = 0;

    while (sep < argc && strcmp(argv[sep], SEPARATOR) != 0)
        sep++;
    for (; i < sep && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        const char *word = argv[i];

        if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0)
            help = 1;
        else if (strcmp(word, "-V") == 0 || strcmp(word, "--version") == 0)
            version = 1;
        else if (strcmp(word, "--trace") == 0)
            req->trace = 1;
        else if (strncmp(word, "--workdir=", 10) == 0)
            req->workdir = word + 10;
        else if (strncmp(word, "-w", 2) == 0 && word[2] != '\0')
            req->workdir = word + 2;
        else if (strcmp(word, "-w") == 0 || strcmp(word, "--workdir") == 0) {
            if (i + 1 >= sep)
                return complain("Missing argument for option: w (see --help)");
            req->workdir = argv[++i];
        } else
            break; /* not ours: a layer, reported below if it looks like an option */
    }
    if (help) {
        fputs(help_text, stdout);
        return 1;
    }
    if (version) {
        printf("container-fs %s\n", CFS_VERSION);
        return 1;
    }
    if (sep == argc)
        return complain("missing '--' between the layers and the command: "
                        "container-fs LAYER... WRITEDIR -- COMMAND");
    /* The course's pointer arithmetic: the layers are argv + i, the
     * command argv + sep + 1, already NULL-terminated by the C runtime. */
    req->layers = argv + i;
    req->nlayers = sep - i;
    req->command = argv + sep + 1;
    req->ncommand = argc - sep - 1;
    for (int l = 0; l < req->nlayers; l++)
        if (req->layers[l][0] == '-')
            return l == 0 || !is_our_option(req->layers[l])
                       ? complain("unknown option '%s' (see --help)", req->layers[l])
                       : complain("option '%s' must come before the layers (see --help)",
                                  req->layers[l]);
    if (req->nlayers < 2)
        return complain("need at least two layers before '--' (LAYER... WRITEDIR), got %d: "
                        "the last one is the writable WRITEDIR",
                        req->nlayers);
    if (req->ncommand == 0)
        return complain("no command after '--': container-fs LAYER... WRITEDIR -- COMMAND");
    return 0;
}

/* Path.startsWith: whole components, so /a/bc does not start with /a/b. */
static int
path_starts_with(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strcmp(prefix, "/") == 0)
        return path[0] == '/';
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* realpath(3) of an existing directory, or NULL after printing why not. */
static char *
existing_directory(const char *what, const char *arg)
{
    char *real = realpath(arg, NULL);
    struct stat st;

    if (real == NULL) {
        if (errno == ENOENT)
            complain("%s '%s' does not exist", what, arg);
        else
            complain("%s '%s' cannot be read: %s: %s", what, arg, arg, strerror(errno));
        return NULL;
    }
    if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
        complain("%s '%s' is not a directory", what, arg);
        free(real);
        return NULL;
    }
    return real;
}

static int
same_filesystem(const char *a, const char *b)
{
    struct stat sa, sb;

    return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/* The checks of LayerValidator.validate, in the same order and words:
 * overlayfs would answer most of them with a bare EINVAL, or mount a stack
 * that writes into a lower layer.  Returns 0 or an exit code. */
static int
check_layers(const struct request *req, struct stack *stack)
{
    const int n = req->nlayers;
    char *upper, **real = calloc((size_t)n, sizeof *real);
    struct statvfs vfs;
    int readonly;

    if (real == NULL)
        return complain("%s", strerror(ENOMEM));
    stack->real = real;
    stack->nlayers = n;
    for (int i = 0; i < n; i++)
        if ((real[i] = existing_directory("layer", req->layers[i])) == NULL)
            return CFS_EXIT_FAILED;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(real[i], real[j]) == 0)
                return complain("layers '%s' and '%s' are the same directory (%s); "
                                "list each layer once",
                                req->layers[i], req->layers[j], real[i]);
    upper = real[n - 1];
    for (int i = 0; i < n - 1; i++) {
        if (path_starts_with(upper, real[i]))
            return complain("WRITEDIR '%s' is inside the lower layer '%s'; "
                            "put WRITEDIR outside every lower layer",
                            req->layers[n - 1], req->layers[i]);
        if (path_starts_with(real[i], upper))
            return complain("lower layer '%s' is inside WRITEDIR '%s'; "
                            "put WRITEDIR outside every lower layer",
                            req->layers[i], req->layers[n - 1]);
    }
    readonly = statvfs(upper, &vfs) == 0 && (vfs.f_flag & ST_RDONLY) != 0;
    if (readonly || access(upper, W_OK) < 0)
        return complain("WRITEDIR '%s' is not writable%s; the last layer must be a writable "
                        "directory",
                        req->layers[n - 1],
                        readonly ? " (its filesystem is mounted read-only)" : "");
    if (req->workdir == NULL)
        return 0;
    if ((stack->workdir = existing_directory("work directory", req->workdir)) == NULL)
        return CFS_EXIT_FAILED;
    for (int i = 0; i < n; i++)
        if (path_starts_with(stack->workdir, real[i]) || path_starts_with(real[i], stack->workdir))
            return complain("work directory '%s' overlaps the layer %s; choose a directory "
                            "beside WRITEDIR, not inside or around a layer",
                            req->workdir, real[i]);
    if (!same_filesystem(stack->workdir, upper))
        return complain("work directory '%s' is on another filesystem than WRITEDIR '%s'; "
                        "overlayfs needs both on the same one",
                        req->workdir, req->layers[n - 1]);
    return 0;
}

static void
free_stack(struct stack *stack)
{
    for (int i = 0; stack->real != NULL && i < stack->nlayers; i++)
        free(stack->real[i]);
    free(stack->real);
    free(stack->workdir);
}

/* ---- the directories container-fs creates, and removes whatever happens ---- */

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0)
        complain("cannot remove `%s`: %s", path, strerror(errno));
    return 0;
}

/* Depth first, never following a symlink (FTW_PHYS) nor entering another
 * filesystem (FTW_MOUNT): if something were still mounted below, we would
 * rather leave a directory behind than delete inside the mount. */
static void
remove_tree(const char *dir)
{
    if (dir != NULL && dir[0] != '\0')
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

struct scratch {
    char base[4096];       /* mkdtemp: holds the mountpoint */
    char mountpoint[4096]; /* base/root */
    char workdir[4096];    /* created beside WRITEDIR, unless --workdir */
};

/* snprintf that refuses to cut a path short (ENAMETOOLONG). */
static int format_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
format_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static int
prepare_error(const char *path)
{
    return complain("cannot prepare the container's directories: %s: %s", path, strerror(errno));
}

/* The mountpoint in $TMPDIR (or /tmp, as RunCommand#temporaryRoot), and unless --workdir was given
 * an empty overlayfs work directory beside WRITEDIR: overlayfs needs it on the upper layer's
 * filesystem (overlayfs.rst, "workdir"). */
static int
make_scratch_directories(const struct stack *stack, struct scratch *s)
{
    const char *tmp = getenv("TMPDIR");
    const char *upper = stack->real[stack->nlayers - 1];
    const char *slash = strrchr(upper, '/');

    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if (format_path(s->base, sizeof s->base, "%s/container-fs-XXXXXX", tmp) < 0)
        return prepare_error(tmp);
    if (mkdtemp(s->base) == NULL) {
        int r = prepare_error(s->base);
        s->base[0] = '\0';
        return r;
    }
    /* A mountpoint inside a layer would show up in the container's tree, or
     * in WRITEDIR on the host: RunCommand refuses it the same way. */
    for (int i = 0; i < stack->nlayers; i++) {
        char real[4096];
        if (realpath(s->base, real) != NULL && path_starts_with(real, stack->real[i]))
            return complain(
                "the temporary directory '%s' is inside the layer '%s'; set TMPDIR to a "
                "directory outside the layers",
                tmp, stack->real[i]);
    }
    if (format_path(s->mountpoint, sizeof s->mountpoint, "%s/root", s->base) < 0
        || mkdir(s->mountpoint, 0755) < 0)
        return prepare_error(s->base);
    if (stack->workdir != NULL)
        return 0;
    /* check_layers made sure WRITEDIR is not "/": every lower layer is inside it. */
    if (format_path(s->workdir, sizeof s->workdir, "%.*s/.container-fs-work-XXXXXX",
                    (int)(slash - upper), upper)
        < 0)
        return prepare_error(upper);
    if (mkdtemp(s->workdir) == NULL) {
        int r = prepare_error(s->workdir);
        s->workdir[0] = '\0';
        return r;
    }
    if (!same_filesystem(s->workdir, upper))
        return complain("WRITEDIR '%s' is a mount point, so no work directory on its "
                        "filesystem can be made beside it; give one with --workdir DIR",
                        upper);
    return 0;
}

/* ---- steps 2 and 3: args_t, then the core ---- */

/* Step 2: a calloc'd, NULL-terminated argv for execvp (step 5), and step
 * 3's option string, built now because the child may not allocate. */
static int
build_args(const struct request *req, const struct stack *stack, const struct scratch *s,
           args_t *args)
{
    const char *work = stack->workdir != NULL ? stack->workdir : s->workdir;
    cfs_error_t err;
    char message[1024];

    args->argc = req->ncommand;
    args->argv = calloc((size_t)req->ncommand + 1, sizeof *args->argv);
    if (args->argv == NULL)
        return complain("%s", strerror(ENOMEM));
    for (int i = 0; i < req->ncommand; i++)
        args->argv[i] = req->command[i];
    args->mountpoint = s->mountpoint;
    args->trace = req->trace;
    if (cfs_build_overlay_options(args->options, sizeof args->options,
                                  (const char *const *)stack->real, stack->nlayers - 1,
                                  stack->real[stack->nlayers - 1], work, &err)
        < 0) {
        cfs_format_error(&err, NULL, message, sizeof message);
        return complain("%s", message);
    }
    return 0;
}

/* RunCommand.exitFor: the exit code and message for a failed step. */
static int
report_failure(const cfs_error_t *err, const char *mountpoint)
{
    char message[1024];
    const char *hint = "";

    cfs_format_error(err, mountpoint, message, sizeof message);
    if (err->step == CFS_STEP_EXEC) {
        complain("%s%s", message, err->err == ENOENT ? " (not found in the container's PATH)" : "");
        return err->err == ENOENT ? CFS_EXIT_NOT_FOUND : CFS_EXIT_CANNOT_RUN;
    }
    if (err->err == EPERM)
        hint = " (needs root with CAP_SYS_ADMIN: run it with sudo on a privileged machine)";
    else if (err->step == CFS_STEP_OVERLAY)
        hint = " (are the layers on a filesystem overlayfs supports? a VirtualBox shared folder"
               " such as /vagrant is not: copy them to the VM's disk)";
    return complain("%s%s", message, hint);
}

/* Steps 4-6 happen in the core: cfs_run_container clones the child that
 * mounts the kernel filesystems and execs, and waits for it before we clean
 * up.  The shell's convention for the status: the exit status, or 128 + N. */
static int
run(const struct request *req, const struct stack *stack)
{
    struct scratch s = { .base = "", .mountpoint = "", .workdir = "" };
    args_t *args = calloc(1, sizeof *args); /* 4 KiB of options: not on the stack */
    cfs_error_t err;
    int status = 0, code;

    if (args == NULL)
        return complain("%s", strerror(ENOMEM));
    code = make_scratch_directories(stack, &s);
    if (code == 0)
        code = build_args(req, stack, &s, args);
    if (code == 0) {
        if (cfs_run_container(args, &err, &status) < 0)
            code = report_failure(&err, s.mountpoint);
        else if (WIFSIGNALED(status))
            code = 128 + WTERMSIG(status);
        else
            code = WEXITSTATUS(status);
    }
    remove_tree(s.base);
    remove_tree(s.workdir);
    free(args->argv);
    free(args);
    return code;
}

int
main(int argc, char **argv)
{
    struct request req = { .layers = NULL };
    struct stack stack = { .real = NULL };
    int code = parse_command_line(argc, argv, &req);

    if (code == 1)
        return 0;
    if (code != 0)
        return code;
    /* Root first, as RunCommand does: nothing else can be done without it. */
    if (geteuid() != 0)
        code = complain("creating namespaces and mounts needs root: run it with sudo");
    if (code == 0)
        code = check_layers(&req, &stack);
    if (code == 0)
        code = run(&req, &stack);
    free_stack(&stack);
    return code;
}
