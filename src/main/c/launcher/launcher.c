/* container-fs: run target/container-fs.jar with the JVM options that cut its start-up.
 * Built into bin/container-fs by this directory's Makefile (mvn package runs it).  Install it
 * once, from the project directory:
 *   sudo ln -sf "$PWD/bin/container-fs" /usr/local/bin/container-fs
 * then `sudo container-fs rootfs app writedir -- sh` does what
 * `sudo java -jar target/container-fs.jar rootfs app writedir -- sh` does, faster.
 *
 * What each option buys is measured in docs/BENCHMARKS.md:
 *   a class-data-sharing archive of container-fs's own classes, kept in
 *     $XDG_CACHE_HOME/container-fs/cds, else $HOME/.cache/container-fs/cds (root's under
 *     sudo, beside pull's cache and the native library), made before the first run by a
 *     training run on empty layers (and, before the first pull of each kind, one on a
 *     pull of a tiny tarball from a mirror on 127.0.0.1 inside the training JVM, or with
 *     --file): a dynamic archive on JDK 17-18 (-XX:ArchiveClassesAtExit),
 *     one the JVM keeps up to date on 19-23 (-XX:+AutoCreateSharedArchive), the AOT cache on
 *     24 and later (JEP 483);
 *   with an archive, -cp JAR io.containerfs.cli.Main instead of -jar JAR: -jar reads the jar's
 *     manifest, and so its whole central directory (2 ms on JDK 17, more on 25), while with
 *     every class in the archive and the native library's checksums in a class of it
 *     (NativeLoader) nothing else opens the jar; from JDK 24, with
 *     --enable-native-access=ALL-UNNAMED, which -jar takes from the manifest (JNI warns
 *     without it), given to the training too, since an AOT cache is used only with the
 *     options it was made with;
 *   -XX:TieredStopAtLevel=1: only the quick C1 compiler; a run is over before C2 would pay off;
 *   -XX:+UseSerialGC from JDK 18: the collector that sets up fastest (G1 starts threads and
 *     regions).  -XX:+UseG1GC on 17, which maps the archived heap objects of its CDS archive,
 *     the module graph among them, only with G1: with the serial collector a run built the
 *     module graph anew, 9 ms.  Named, not left to the JVM, which itself picks the serial
 *     collector on a machine with one CPU or less than 1792 MB;
 *   -XX:-UsePerfData: no hsperfdata file in /tmp.
 * A small heap was measured and left out: -Xms8m made a run slower (more collections before it
 * ends), -Xmx64m changed neither its time nor its memory.
 * Environment: CONTAINERFS_JAVA (default: java on PATH; a name is looked up on PATH, a path
 * taken as it is), CONTAINERFS_JAR (default: target/container-fs.jar beside the bin directory
 * this program is in, found through any symlink to it).
 *
 * It was a POSIX sh script; in C it costs a fraction of a millisecond instead of ~5 ms (two
 * execs of readlink and stat, and the shell).  Its own errors exit with 125 and one line on
 * stderr, as the JVM's front end's do; otherwise it execs java, whose status is the run's.
 *
 * The OCI runtime's state, start, kill, delete, list and ps start no JVM: oci.c answers them with
 * the core's code for them (core/oci_state.c, the same the jar calls through JNI), the few
 * core files that needs linked in (src/main/c/Makefile). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

#define FAILED 125
/* dash's PATH when none is set */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* What other builds left in the cds directory is removed a day after it was made. */
#define OLD_ARCHIVE_SECONDS (24 * 60 * 60)
/* In an archive's name: made with this launcher's options.  Change it with them, since a JVM
 * refuses an archive made with other module options or collector (JDK 24 and later say so on
 * stderr at every run) and this launcher may be rebuilt alone, beside the same jar. */
#define OPTIONS_VERSION "o2"

#define MAIN_CLASS "io.containerfs.cli.Main"
#define NATIVE_ACCESS "--enable-native-access=ALL-UNNAMED"

/* The options that cut the JVM's start-up, for its JDK: set once by fast_options. */
#define NFAST 3
static const char *fast[NFAST];

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *format, ...)
{
    char line[2 * PATH_MAX + 256];
    va_list ap;

    va_start(ap, format);
    vsnprintf(line, sizeof line, format, ap);
    va_end(ap);
    fprintf(stderr, "container-fs: %s\n", line);
    exit(FAILED);
}

/* A path made with printf into a PATH_MAX buffer; one that does not fit is an error. */
static void __attribute__((format(printf, 2, 3))) join(char *out, const char *format, ...)
{
    va_list ap;
    int n;

    va_start(ap, format);
    n = vsnprintf(out, PATH_MAX, format, ap);
    va_end(ap);
    if (n < 0 || n >= PATH_MAX)
        die("path too long: %.200s...", out);
}

static const char *
nonempty_env(const char *name)
{
    const char *value = getenv(name);
    return value && *value ? value : NULL;
}

static int
is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* As `command -v NAME`: a name with a slash is taken as it is, any other is the first
 * executable regular file NAME in a directory of PATH (an empty entry is the current one). */
static const char *
find_java(const char *name, char *found)
{
    const char *path = getenv("PATH"), *dir, *end;
    struct stat st;
    int n;

    if (strchr(name, '/'))
        return name;
    if (!path)
        path = DEFAULT_PATH;
    for (dir = path;; dir = end + 1) {
        end = strchrnul(dir, ':');
        if (end == dir)
            n = snprintf(found, PATH_MAX, "./%s", name);
        else
            n = snprintf(found, PATH_MAX, "%.*s/%s", (int)(end - dir), dir, name);
        if (n > 0 && n < PATH_MAX && stat(found, &st) == 0 && S_ISREG(st.st_mode)
            && access(found, X_OK) == 0)
            return found;
        if (!*end)
            return NULL;
    }
}

/* The JDK's feature version from JAVA_VERSION="17.0.12" in its release file: what precedes
 * the first '.', '"', '+' or '-'; empty without a release file or such a line. */
static void
read_feature(const char *jdk, char *feature, size_t size)
{
    char path[PATH_MAX], *line = NULL;
    size_t capacity = 0;
    FILE *release;

    feature[0] = '\0';
    join(path, "%s/release", jdk);
    release = fopen(path, "re");
    if (!release)
        return;
    while (getline(&line, &capacity, release) > 0) {
        if (strncmp(line, "JAVA_VERSION=", 13) == 0) {
            const char *value = line + 13;
            size_t n;

            if (*value == '"')
                value++;
            n = strcspn(value, ".\"+-\n");
            if (n < size) {
                memcpy(feature, value, n);
                feature[n] = '\0';
            }
            break;
        }
    }
    free(line);
    fclose(release);
}

/* mkdir -p, with the modes the caller's umask gives. */
static void
make_dirs(const char *path)
{
    char dir[PATH_MAX], *slash;

    join(dir, "%s", path);
    for (slash = strchr(dir + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return;
        if (!slash)
            return;
        *slash = '/';
    }
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* rm -rf, that stays on the directory's own filesystem: a mount a failed training might leave
 * inside is not emptied. */
static void
remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Runs ARGV[0] (looked up on PATH unless it holds a slash) with ARGV, its stdout and stderr
 * dropped, and waits for it; returns whether it exited with 0. */
static int
run_quietly(char *const argv[])
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return 0;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The JVM with the fast options, -Xlog:disable, then EXTRA (NULL-ended): the rest are ARGS. */
static void
jvm_quietly(const char *java, const char *const extra[], const char *const args[])
{
    const char *argv[32];
    size_t n = 0, i;

    argv[n++] = java;
    for (i = 0; i < NFAST; i++)
        argv[n++] = fast[i];
    argv[n++] = "-Xlog:disable";
    for (i = 0; extra[i]; i++)
        argv[n++] = extra[i];
    for (i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    run_quietly((char *const *)argv);
}

/* A training run: as root, a whole container on two empty layers whose command does not exist
 * (exit 127); otherwise up to the root check (exit 125). Its output, and the JVM's own notes
 * on stdout, are dropped. */
static void
train(const char *java, const char *jar, const char *tmp, const char *const options[],
      const char *const words[])
{
    char layers[PATH_MAX], lower[PATH_MAX], upper[PATH_MAX];

    (void)words; /* a pull training's only */
    join(layers, "%s.layers", tmp);
    join(lower, "%s/lower", layers);
    join(upper, "%s/upper", layers);
    make_dirs(lower);
    if (mkdir(upper, 0777) == 0) {
        const char *args[] = { "-cp", jar, MAIN_CLASS, lower, upper, "--", "/nonexistent", NULL };
        jvm_quietly(java, options, args);
    }
    remove_tree(layers);
}

/* The tarball both pull trainings pull, DIR/training.tar.gz: one empty file, put in by
 * tar(1) from DIR/src; the training pulls into DIR/dest.  DIR is made anew: a training killed
 * with its launcher, whose pid a later one may get, leaves one behind.  Returns 0 when the
 * tarball could not be made. */
static int
make_training_tarball(const char *dir, char tarball[PATH_MAX], char dest[PATH_MAX])
{
    char src[PATH_MAX], file[PATH_MAX];
    int fd;

    join(src, "%s/src", dir);
    join(file, "%s/file", src);
    join(tarball, "%s/training.tar.gz", dir);
    join(dest, "%s/dest", dir);
    remove_tree(dir);
    make_dirs(dest);
    make_dirs(src);
    fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return 0;
    close(fd);
    const char *tar[] = { "tar", "-czf", tarball, "-C", src, ".", NULL };
    return run_quietly((char *const *)tar);
}

/* A pull training: the JVM runs WORDS (NULL-ended: a main class and its first arguments), then
 * the training tarball and the directory to pull it into. */
static void
train_pull(const char *java, const char *jar, const char *tmp, const char *const options[],
           const char *const words[])
{
    enum { MAX_WORDS = 8 };
    char dir[PATH_MAX], tarball[PATH_MAX], dest[PATH_MAX];

    join(dir, "%s.pull", tmp);
    if (make_training_tarball(dir, tarball, dest)) {
        const char *args[MAX_WORDS + 5] = { "-cp", jar };
        size_t n = 2;

        for (size_t i = 0; words[i] && i < MAX_WORDS; i++)
            args[n++] = words[i];
        args[n++] = tarball;
        args[n++] = dest;
        args[n] = NULL;
        jvm_quietly(java, options, args);
    }
    remove_tree(dir);
}

typedef void trainer_fn(const char *java, const char *jar, const char *tmp,
                        const char *const options[], const char *const words[]);

/* The training of a pull from a mirror, which also loads the HTTP client and the index's
 * YAML: PullTraining pulls the training tarball from an http:// mirror on 127.0.0.1 that
 * lives in its own JVM (an https:// mirror's handshake is not trained).  It saved a pull from
 * a mirror on 127.0.0.1 about 105 ms on JDK 17 and 165 ms on JDK 25.  Its own archive, not
 * one with `pull --file`'s: JDK 25 loads every class of an AOT cache as it starts, and those
 * 1,300 more cost a pull --file 20 ms. */
static const char *const PULL_WORDS[] = { "io.containerfs.pull.PullTraining", NULL };

/* The training of `pull --file`, whose classes (Commons Compress, the extractor) a run never
 * loads: `pull --file` of the training tarball.  The AOT cache this trains saves JDK 25 about
 * 40 ms of a pull of Alpine's root filesystem. */
static const char *const PULL_FILE_WORDS[] = { MAIN_CLASS, "pull", "--quiet", "--file", NULL };

/* The OCI runtime's training: one container's create, state, start, kill and delete of a
 * bundle whose root is an empty directory (OciTraining), in DIR made for it. */
static void
train_oci(const char *java, const char *jar, const char *tmp, const char *const options[],
          const char *const words[])
{
    char dir[PATH_MAX];

    (void)words;
    join(dir, "%s.oci", tmp);
    remove_tree(dir);
    make_dirs(dir);
    const char *args[] = { "-cp", jar, "io.containerfs.oci.OciTraining", dir, NULL };
    jvm_quietly(java, options, args);
    remove_tree(dir);
}

/* What an archive is trained on, each its own: a run, a pull from a mirror, `pull --file`, the
 * OCI runtime's calls. */
enum command { RUN, PULL, PULL_FILE, OCI };

static const struct {
    const char *suffix; /* of the archive's name */
    trainer_fn *train;
    const char *const *words; /* a pull training's, for train_pull */
} COMMANDS[] = {
    [RUN] = { "", train, NULL },
    [PULL] = { "-pull", train_pull, PULL_WORDS },
    [PULL_FILE] = { "-pull-file", train_pull, PULL_FILE_WORDS },
    [OCI] = { "-oci", train_oci, NULL },
};

/* Whether the arguments are the OCI runtime's, as OciCommand.isOciForm tells them: runc's
 * global options, then one of its commands.  (A wrong guess costs only the archive.) */
static int
is_oci_form(int argc, char **argv)
{
    static const char *const with_value[]
        = { "--root", "--log", "--log-format", "--criu", "--rootless", NULL };
    static const char *const commands[] = { "create", "start", "state",    "kill", "delete", "run",
                                            "list",   "spec",  "features", "exec", "ps",     NULL };
    int i = 1;

    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        size_t name = strcspn(argv[i], "=");
        int valued = 0;

        for (size_t k = 0; with_value[k]; k++)
            valued |= strlen(with_value[k]) == name && strncmp(argv[i], with_value[k], name) == 0;
        if (!valued && strcmp(argv[i], "--debug") != 0 && strcmp(argv[i], "--systemd-cgroup") != 0)
            return 0;
        i += valued && argv[i][name] == '\0' ? 2 : 1;
    }
    for (size_t k = 0; i < argc && commands[k]; k++)
        if (strcmp(argv[i], commands[k]) == 0)
            return 1;
    return 0;
}

/* Which command the arguments are, as Main reads them: any `--` makes a run
 * (CommandLineSpec.isRunForm), else a first word `pull` a pull, else the OCI runtime's form. */
static enum command
command_of(int argc, char **argv)
{
    enum command command = argc > 1 && strcmp(argv[1], "pull") == 0 ? PULL
                           : is_oci_form(argc, argv)                ? OCI
                                                                    : RUN;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return RUN;
        if (command == PULL
            && (strcmp(argv[i], "--file") == 0 || strncmp(argv[i], "--file=", 7) == 0))
            command = PULL_FILE;
    }
    return command;
}

/* Whether NAME in the cds directory is BUILD's: an archive, a marker or a training's. */
static int
is_of_build(const char *name, const char *build)
{
    size_t n = strlen(build);

    return strncmp(name, build, n) == 0 && (name[n] == '.' || name[n] == '-');
}

/* Forgets what builds other than BUILD (a name's start: this jar and JVM) left more than a
 * day before: archives, and whatever else named container-fs-* a crash left, training
 * directories included. */
static void
prune(const char *cds, const char *build)
{
    DIR *dir = opendir(cds);
    time_t before = time(NULL) - OLD_ARCHIVE_SECONDS;
    struct dirent *entry;
    struct stat st;
    char path[PATH_MAX];

    if (!dir)
        return;
    while ((entry = readdir(dir))) {
        if (strncmp(entry->d_name, "container-fs-", 13) != 0 || is_of_build(entry->d_name, build)
            || fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
            || st.st_mtime >= before)
            continue;
        if (S_ISDIR(st.st_mode)) {
            join(path, "%s/%s", cds, entry->d_name);
            remove_tree(path);
        } else {
            unlinkat(dirfd(dir), entry->d_name, 0);
        }
    }
    closedir(dir);
}

/* Renames a new archive in, and forgets what other builds left more than a day before. When
 * the training made none, an empty ARCHIVE.none says so, so that later runs do not train
 * again. */
static void
keep(const char *made, const char *archive, const char *none, const char *cds, const char *build)
{
    struct stat st;

    if (stat(made, &st) == 0 && st.st_size > 0) {
        if (rename(made, archive) == 0)
            prune(cds, build);
    } else {
        int fd = open(none, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd >= 0)
            close(fd);
    }
}

enum kind { NONE, JSA, JSA_AUTO, AOT };

/* No release file, or older than the jar needs: no archive. */
static enum kind
kind_of(const char *feature)
{
    int n;

    if (strlen(feature) != 2 || feature[0] < '0' || feature[0] > '9' || feature[1] < '0'
        || feature[1] > '9')
        return NONE;
    n = atoi(feature);
    if (n == 17 || n == 18)
        return JSA;
    if (n >= 19 && n <= 23)
        return JSA_AUTO;
    if (n >= 24)
        return AOT;
    return NONE;
}

/* The options that cut the JVM's start-up, for the JDK of FEATURE (see the top of this file):
 * G1 on 17, the serial collector from 18. */
static void
fast_options(const char *feature)
{
    fast[0] = "-XX:TieredStopAtLevel=1";
    fast[1] = strcmp(feature, "17") == 0 ? "-XX:+UseG1GC" : "-XX:+UseSerialGC";
    fast[2] = "-XX:-UsePerfData";
}

/* Whoever may rename an entry of a directory above the cache could swap the
 * whole cache, and so the archive the JVM maps, for their own (under sudo
 * with the user's HOME kept, the user's ~/.cache): as NativeLibraryCache
 * does for the native library, every directory above it must be ours or
 * root's, and not writable by others unless sticky, as /tmp is. */
static int
ancestors_are_safe(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    char *slash;

    if (realpath(dir, path) == NULL)
        return 0;
    while ((slash = strrchr(path, '/')) != NULL) {
        slash[slash == path ? 1 : 0] = '\0'; /* the parent; "/" keeps its slash */
        if (lstat(path, &st) < 0 || (st.st_uid != geteuid() && st.st_uid != 0)
            || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
            return 0;
        if (slash == path)
            return 1;
    }
    return 0;
}

/* The jar: CONTAINERFS_JAR, else the checkout's.  This program's real place (it is usually
 * reached through a symlink) is DIR/bin/container-fs: the jar is DIR/target/container-fs.jar. */
static const char *
find_jar(char *buf)
{
    const char *jar = nonempty_env("CONTAINERFS_JAR");
    char self[PATH_MAX], *end;
    ssize_t length;

    if (jar)
        return jar;
    length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length < 0)
        die("cannot resolve /proc/self/exe: %s", strerror(errno));
    self[length] = '\0';
    for (int i = 0; i < 2 && (end = strrchr(self, '/')); i++)
        *end = '\0';
    join(buf, "%s/target/container-fs.jar", self);
    return buf;
}

/* $XDG_CACHE_HOME/container-fs when that is absolute, else $HOME/.cache/container-fs; 0 with
 * neither: no cache without a HOME (the script's /nonexistent fallback was made by its
 * mkdir -p when run as root). */
static int
find_cache(char *cache)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = nonempty_env("HOME");

    if (xdg && xdg[0] == '/')
        join(cache, "%s/container-fs", xdg);
    else if (home)
        join(cache, "%s/.cache/container-fs", home);
    else
        return 0;
    return 1;
}

/* The options that make the JVM use the archive at BASE (a name without its extension, in
 * CDS, starting with BUILD), trained first on the same command when it is missing.  The
 * archive is made once, under a name of this process's, then renamed in: a concurrent run
 * sees either no archive or a whole one.  Returns how many options it put in OUT. */
static int
archive_options(const char *java, const char *jar, const char *cds, const char *build,
                const char *base, enum kind kind, enum command command, const char *out[3],
                char option[PATH_MAX + 32])
{
    trainer_fn *const trainer = COMMANDS[command].train;
    const char *const *const words = COMMANDS[command].words;
    char file[PATH_MAX], none[PATH_MAX], tmp[PATH_MAX], made[PATH_MAX], conf[PATH_MAX];
    const char *suffixes[] = { "jsa", "conf", "aot" };
    int n = 0;

    join(none, "%s.none", base);
    if (is_regular(none))
        return 0;
    join(tmp, "%s.%ld", base, (long)getpid());
    join(conf, "%s.conf", tmp);
    if (kind == JSA || kind == JSA_AUTO) {
        join(file, "%s.jsa", base);
        join(made, "%s.jsa", tmp);
        if (!is_regular(file)) {
            char training[PATH_MAX + 32];
            const char *options[3] = { training, NULL, NULL };

            if (kind == JSA) {
                snprintf(training, sizeof training, "-XX:ArchiveClassesAtExit=%s", made);
            } else {
                options[0] = "-XX:+AutoCreateSharedArchive";
                options[1] = training;
                snprintf(training, sizeof training, "-XX:SharedArchiveFile=%s", made);
            }
            trainer(java, jar, tmp, options, words);
            keep(made, file, none, cds, build);
        }
        /* On 19-23 the JVM checks the archive on every run and writes a new one at exit if
         * it is stale. */
        if (kind == JSA_AUTO)
            out[n++] = "-XX:+AutoCreateSharedArchive";
        snprintf(option, PATH_MAX + 32, "-XX:SharedArchiveFile=%s", file);
        out[n++] = option;
    } else if (kind == AOT) {
        join(file, "%s.aot", base);
        join(made, "%s.aot", tmp);
        if (!is_regular(file)) {
            char record[PATH_MAX + 32], cache_option[PATH_MAX + 32];
            const char *recording[] = { "-XX:AOTMode=record", record, NATIVE_ACCESS, NULL };
            const char *creating[]
                = { "-XX:AOTMode=create", record, cache_option, NATIVE_ACCESS, "-cp", jar, NULL };
            const char *nothing[] = { NULL };

            snprintf(record, sizeof record, "-XX:AOTConfiguration=%s", conf);
            snprintf(cache_option, sizeof cache_option, "-XX:AOTCache=%s", made);
            trainer(java, jar, tmp, recording, words);
            jvm_quietly(java, creating, nothing);
            keep(made, file, none, cds, build);
        }
        if (is_regular(file)) {
            snprintf(option, PATH_MAX + 32, "-XX:AOTCache=%s", file);
            out[n++] = option;
            out[n++] = NATIVE_ACCESS;
        }
    }
    for (int i = 0; i < 3; i++) {
        join(made, "%s.%s", tmp, suffixes[i]);
        unlink(made);
    }
    return n;
}

/* java, the fast options, OPTIONS, then -cp JAR Main when OPTIONS name an archive, else
 * -jar JAR, and our own arguments.  -Xlog:disable keeps the JVM's own warnings (say, about an
 * archive it cannot use) off the container's stdout; its errors still go to stderr. */
static void __attribute__((noreturn))
exec_java(const char *java, const char *jar, const char *const options[], int noptions, int argc,
          char **argv)
{
    const char **args = malloc((argc + NFAST + 10) * sizeof *args);
    size_t n = 0;

    if (!args)
        die("out of memory");
    args[n++] = java;
    for (size_t i = 0; i < NFAST; i++)
        args[n++] = fast[i];
    args[n++] = "-Xlog:disable";
    args[n++] = "-Xlog:all=error:stderr";
    for (int i = 0; i < noptions; i++)
        args[n++] = options[i];
    args[n++] = noptions > 0 ? "-cp" : "-jar";
    args[n++] = jar;
    if (noptions > 0)
        args[n++] = MAIN_CLASS;
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execv(java, (char *const *)args);
    die("cannot run %s: %s", java, strerror(errno));
}

int
main(int argc, char **argv)
{
    static char javabuf[PATH_MAX], jdk[PATH_MAX], jarbuf[PATH_MAX], libjvm[PATH_MAX],
        cache[PATH_MAX], cds[PATH_MAX], build[PATH_MAX], base[PATH_MAX], option[PATH_MAX + 32];
    const char *name = nonempty_env("CONTAINERFS_JAVA"), *java, *jar, *options[3];
    const enum command command = command_of(argc, argv);
    char feature[16];
    struct stat jar_st, jvm_st, cds_st, cache_st;
    int have_cache, cds_ok, jar_ok, described, private, noptions = 0, oci_status;
    size_t n;

    if (command == OCI && oci_fast_call(argc, argv, &oci_status))
        return oci_status;
    java = find_java(name ? name : "java", javabuf);
    if (!java)
        die("no java on PATH; install a JDK 17 or newer, or set CONTAINERFS_JAVA");
    if (!realpath(java, jdk))
        die("cannot resolve %s: %s", java, strerror(errno));
    n = strlen(jdk);
    if (n >= 9 && strcmp(jdk + n - 9, "/bin/java") == 0)
        jdk[n - 9] = '\0';
    jar = find_jar(jarbuf);
    read_feature(jdk, feature, sizeof feature);
    fast_options(feature);
    have_cache = find_cache(cache);
    if (have_cache)
        join(cds, "%s/cds", cache);
    join(libjvm, "%s/lib/server/libjvm.so", jdk);

    /* The archive is code the JVM maps: use it only in a directory nobody else may change.
     * Its name holds the jar's and the JVM's identity (size, mtime, inode), which are what
     * the JVM itself checks before it maps an archive, for the price of one stat instead of
     * hashing 4 MB; the version of the options it was made with; and which command it was
     * trained on. */
    cds_ok = have_cache && stat(cds, &cds_st) == 0;
    if (have_cache && (!cds_ok || !S_ISDIR(cds_st.st_mode)) && feature[0]) {
        mode_t umask_before = umask(077);
        make_dirs(cds);
        umask(umask_before);
        cds_ok = stat(cds, &cds_st) == 0;
    }
    jar_ok = stat(jar, &jar_st) == 0;
    described = jar_ok && stat(libjvm, &jvm_st) == 0 && cds_ok && stat(cache, &cache_st) == 0;
    if (!described && !(jar_ok && S_ISREG(jar_st.st_mode)))
        die("%s not found; build it with 'mvn -q package -DskipTests', or set CONTAINERFS_JAR",
            jar);
    private = described && cds_st.st_uid == geteuid() && cache_st.st_uid == geteuid()
              && !(cds_st.st_mode & 022) && !(cache_st.st_mode & 022) && ancestors_are_safe(cache);
    if (private && kind_of(feature) != NONE) {
        join(build, "container-fs-%lld-%lld-%llu-jdk%s-%lld-%lld-%llu-%s",
             (long long)jar_st.st_size, (long long)jar_st.st_mtime,
             (unsigned long long)jar_st.st_ino, feature, (long long)jvm_st.st_size,
             (long long)jvm_st.st_mtime, (unsigned long long)jvm_st.st_ino, OPTIONS_VERSION);
        join(base, "%s/%s%s", cds, build, COMMANDS[command].suffix);
        noptions = archive_options(java, jar, cds, build, base, kind_of(feature), command, options,
                                   option);
    }
    exec_java(java, jar, options, noptions, argc, argv);
}
