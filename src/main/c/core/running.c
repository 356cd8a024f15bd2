/* Two running containers must not overlap (issue 23, #11): B's WRITEDIR
 * inside A's is two overlays on one upper directory, which overlayfs
 * leaves undefined (Documentation/filesystems/overlayfs.rst, "Sharing and
 * copying layers"), and A's WRITEDIR as B's lower layer changes under B
 * ("Changes to underlying filesystems").  Each container's own WRITEDIR
 * lock cannot see that: the paths differ.
 *
 * So each running container has an entry in RUNNING_DIR naming its real
 * layers, WRITEDIR first, each NUL-terminated, and holds an flock(2) on it
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
#define RUNNING_DIR TOP_DIR "/running"
/* 500 layers of PATH_MAX: an entry larger than this is no entry of ours. */
#define ENTRY_MAX (501 * PATH_MAX)

/* Our entry, complete and locked, under its final name: made nameless
 * (O_TMPFILE, open(2)), locked and written, then linked into place, so no
 * reader ever sees it unlocked or half written (and so takes it for a
 * killed run's). */
static int
write_entry(char *const *lowers, int nlowers, const char *upper, struct cfs_running *me)
{
    unsigned char id[8];
    char self[32];
    int fd, saved;

    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
        return -1;
    snprintf(me->path, sizeof me->path, RUNNING_DIR "/%02x%02x%02x%02x%02x%02x%02x%02x", id[0],
             id[1], id[2], id[3], id[4], id[5], id[6], id[7]);
    fd = open(RUNNING_DIR, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    if (flock(fd, LOCK_EX) < 0
        || cfs_write_all(fd, upper != NULL ? upper : "", upper != NULL ? strlen(upper) + 1 : 1) < 0)
        goto fail;
    for (int i = 0; i < nlowers; i++)
        if (cfs_write_all(fd, lowers[i], strlen(lowers[i]) + 1) < 0)
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

/* Compares our layers with a running container's entry (WRITEDIR, then
 * its lower layers, NUL-terminated).  Returns -1 with *err filled on an
 * overlap. */
static int
compare(char *const *lowers, int nlowers, const char *upper, const char *entry, size_t size,
        int holder, cfs_error_t *err)
{
    const char *their_upper = entry, *end = entry + size;

    if (*their_upper != '\0') {
        if (upper != NULL && overlap(upper, their_upper))
            goto upper_in_use;
        for (int i = 0; i < nlowers; i++)
            if (overlap(lowers[i], their_upper)) {
                cfs_rule_error(err, CFS_STEP_LOCK, CFS_RULE_RUNNING_WRITEDIR, lowers[i],
                               their_upper, "lower layer", EBUSY);
                err->holder = holder;
                return -1;
            }
    }
    if (upper == NULL)
        return 0;
    for (const char *lower = entry + strlen(entry) + 1; lower < end; lower += strlen(lower) + 1)
        if (overlap(upper, lower)) {
            cfs_rule_error(err, CFS_STEP_LOCK, CFS_RULE_RUNNING_LOWER, upper, lower, "", EBUSY);
            err->holder = holder;
            return -1;
        }
    return 0;
upper_in_use:
    cfs_rule_error(err, CFS_STEP_LOCK, CFS_RULE_RUNNING_WRITEDIR, upper, their_upper, "WRITEDIR",
                   EBUSY);
    err->holder = holder;
    return -1;
}

/* Reads one entry of another container: 0 when it is stale (removed) or
 * does not overlap ours, -1 with *err filled when it does. */
static int
check_entry(int dir, const char *name, char *const *lowers, int nlowers, const char *upper,
            cfs_error_t *err)
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
        result = compare(lowers, nlowers, upper, entry, (size_t)n, cfs_lock_holder(&st), err);
    }
    free(entry);
    close(fd);
    return result;
}

int
cfs_register_running(char *const *lowers, int nlowers, const char *upper, struct cfs_running *me,
                     cfs_error_t *err)
{
    const char *ours;
    struct dirent *e;
    int result = 0;
    DIR *dir;

    me->lock = -1;
    me->path[0] = '\0';
    if ((mkdir(TOP_DIR, 0700) < 0 && errno != EEXIST)
        || (mkdir(RUNNING_DIR, 0700) < 0 && errno != EEXIST)) {
        if (errno == ENOENT || errno == EROFS)
            return 0; /* no /run here: no registry */
        return cfs_fail(err, CFS_STEP_LOCK, RUNNING_DIR);
    }
    if (write_entry(lowers, nlowers, upper, me) < 0)
        return cfs_fail(err, CFS_STEP_LOCK, RUNNING_DIR);
    ours = strrchr(me->path, '/') + 1;
    if ((dir = opendir(RUNNING_DIR)) == NULL)
        return cfs_fail(err, CFS_STEP_LOCK, RUNNING_DIR);
    while (result == 0 && (e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.' && strcmp(e->d_name, ours) != 0)
            result = check_entry(dirfd(dir), e->d_name, lowers, nlowers, upper, err);
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
