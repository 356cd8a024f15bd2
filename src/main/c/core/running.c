/* Two running containers must not overlap (issue 23, #11): B's WRITEDIR
 * inside A's is two overlays on one upper directory, which overlayfs
 * leaves undefined (Documentation/filesystems/overlayfs.rst, "Sharing and
 * copying layers"), and A's WRITEDIR as B's lower layer changes under B
 * ("Changes to underlying filesystems").  Each container's own WRITEDIR
 * lock cannot see that: the paths differ.
 *
 * So each running container has an entry in RUNNING_DIR naming the real
 * paths of its directories, each NUL-terminated after a letter that says
 * what it is to the container: W its WRITEDIR and K the work directory it
 * was given (both written), L a lower layer (read).  Two overlap when one
 * contains the other and either is written.  It holds an flock(2) on it
 * for as long as it runs (its watchdog too, until its last process is
 * gone).  A new one registers first, then reads the others: an entry whose
 * lock it can take is a killed run's, and is removed; a locked one is
 * compared.  Registering before reading means that of two containers
 * starting at once on overlapping layers, at least the second refuses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "directories.h"
#include "layers.h"
#include "running.h"
#include "write_all.h"

#define TOP_DIR "/run/container-fs"
/* 500 layers of PATH_MAX: an entry larger than this is no entry of ours. */
#define ENTRY_MAX (502 * PATH_MAX)
/* What a directory is to its container. */
#define WRITEDIR 'W'
#define WORK 'K'
#define LOWER 'L'

/* One directory of an entry: its kind's letter, then the path, NUL-terminated. */
static int
write_directory(int fd, char kind, const char *path)
{
    if (path == NULL)
        return 0;
    return cfs_write_all(fd, &kind, 1) < 0 || cfs_write_all(fd, path, strlen(path) + 1) < 0 ? -1
                                                                                            : 0;
}

/* Our entry, complete and locked, under its final name: made nameless
 * (O_TMPFILE, open(2)), locked and written, then linked into place, so no
 * reader ever sees it unlocked or half written (and so takes it for a
 * killed run's). */
static int
write_entry(const char *running_dir, const struct cfs_layer_paths *ours, struct cfs_running *me)
{
    unsigned char id[8];
    char self[32];
    int fd, saved;

    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
        return -1;
    snprintf(me->path, sizeof me->path, "%s/%02x%02x%02x%02x%02x%02x%02x%02x", running_dir, id[0],
             id[1], id[2], id[3], id[4], id[5], id[6], id[7]);
    fd = open(running_dir, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    if (flock(fd, LOCK_EX) < 0 || write_directory(fd, WRITEDIR, ours->upper) < 0
        || write_directory(fd, WORK, ours->work) < 0)
        goto fail;
    for (int i = 0; i < ours->nlowers; i++)
        if (write_directory(fd, LOWER, ours->lowers[i]) < 0)
            goto fail;
    /* linkat(2) of /proc/self/fd/N: AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH. */
    if (linkat(AT_FDCWD, self, AT_FDCWD, me->path, AT_SYMLINK_FOLLOW) < 0)
        goto fail;
    me->lock = fd;
    return 0;
fail:
    saved = errno;
    if (fd >= 0)
        close(fd);
    me->path[0] = '\0';
    errno = saved;
    return -1;
}

/* Whether one of two real paths is the other or below it. */
static int
overlap(const char *a, const char *b)
{
    return cfs_is_within(a, b) || cfs_is_within(b, a);
}

/* What a kind is called in a message: ours as "WRITEDIR `path`", and the
 * rule that names theirs. */
static const char *
kind_name(char kind)
{
    return kind == WRITEDIR ? "WRITEDIR" : kind == WORK ? "work directory" : "lower layer";
}

static int
rule_of(char their_kind)
{
    return their_kind == WRITEDIR ? CFS_RULE_RUNNING_WRITEDIR
           : their_kind == WORK   ? CFS_RULE_RUNNING_WORKDIR
                                  : CFS_RULE_RUNNING_LOWER;
}

/* Whether our directory (kind, path) and theirs clash: one contains the
 * other, and one of the two is written.  -1 with *err filled when they do. */
static int
clash(char kind, const char *path, char their_kind, const char *theirs, int holder,
      cfs_error_t *err)
{
    if (path == NULL || (kind == LOWER && their_kind == LOWER) || !overlap(path, theirs))
        return 0;
    cfs_rule_error(err, CFS_STEP_LOCK, rule_of(their_kind), path, theirs, kind_name(kind), EBUSY);
    err->holder = holder;
    return -1;
}

/* Compares our directories with a running container's entry; the first
 * clash fills *err, in the order of our directories (WRITEDIR first). */
static int
compare(const struct cfs_layer_paths *ours, const char *entry, size_t size, int holder,
        cfs_error_t *err)
{
    for (int i = -2; i < ours->nlowers; i++) {
        char kind = i == -2 ? WRITEDIR : i == -1 ? WORK : LOWER;
        const char *path = i == -2 ? ours->upper : i == -1 ? ours->work : ours->lowers[i];

        for (const char *e = entry; e < entry + size; e += strlen(e) + 1)
            if (e[0] != '\0' && clash(kind, path, e[0], e + 1, holder, err) < 0)
                return -1;
    }
    return 0;
}

/* Reads one entry of another container: 0 when it is stale (removed) or
 * does not overlap ours, -1 with *err filled when it does. */
static int
check_entry(int dir, const char *name, const struct cfs_layer_paths *ours, cfs_error_t *err)
{
    int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), result = 0;
    struct stat st;
    char *entry;
    ssize_t n;

    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        unlinkat(dir, name, 0); /* its owner is gone */
        close(fd);
        return 0;
    }
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > ENTRY_MAX
        || (entry = malloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return 0;
    }
    n = pread(fd, entry, (size_t)st.st_size, 0);
    if (n == st.st_size) {
        entry[n] = '\0';
        result = compare(ours, entry, (size_t)n, cfs_lock_holder(&st), err);
    }
    free(entry);
    close(fd);
    return result;
}

/* See running.h. */
int
cfs_state_directory(char *dir, size_t size)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    int n;

    if (geteuid() == 0)
        n = snprintf(dir, size, "%s", TOP_DIR);
    else if (runtime != NULL && runtime[0] == '/')
        n = snprintf(dir, size, "%s/container-fs", runtime);
    else
        n = snprintf(dir, size, "/tmp/container-fs-%u", (unsigned int)geteuid());
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -1;
    if (geteuid() == 0) /* /run is root's alone (the OCI runtime may have made it 0755) */
        return 0;
    /* In /tmp anyone could have made it first, or put a symlink there. */
    if (lstat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

int
cfs_register_running(const struct cfs_layer_paths *ours, struct cfs_running *me, cfs_error_t *err)
{
    char running_dir[PATH_MAX];
    const char *name;
    struct dirent *e;
    int result = 0;
    DIR *dir;

    me->lock = -1;
    me->path[0] = '\0';
    if (cfs_state_directory(running_dir, sizeof running_dir - 8) < 0
        || (strcat(running_dir, "/running"), mkdir(running_dir, 0700) < 0 && errno != EEXIST)) {
        if (errno == ENOENT || errno == EROFS)
            return 0; /* no /run here: no registry */
        return cfs_fail(err, CFS_STEP_LOCK, running_dir);
    }
    if (write_entry(running_dir, ours, me) < 0)
        return cfs_fail(err, CFS_STEP_LOCK, running_dir);
    name = strrchr(me->path, '/') + 1;
    if ((dir = opendir(running_dir)) == NULL)
        return cfs_fail(err, CFS_STEP_LOCK, running_dir);
    while (result == 0 && (e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, name) != 0)
            result = check_entry(dirfd(dir), e->d_name, ours, err);
    closedir(dir);
    return result;
}

void
cfs_unregister_running(struct cfs_running *me)
{
    if (me->path[0] != '\0')
        unlink(me->path);
    if (me->lock >= 0)
        close(me->lock);
    me->lock = -1;
    me->path[0] = '\0';
}
