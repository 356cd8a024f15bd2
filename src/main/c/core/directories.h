/* The directories a container uses on the host: the layers as real paths and
 * overlayfs's work directory, made by the parent before clone() and removed
 * after waitpid().  The mountpoint is TMPDIR, mounted over only in the
 * child's own mount namespace. */
#ifndef CFS_DIRECTORIES_H
#define CFS_DIRECTORIES_H

#include <limits.h>
#include <sys/stat.h>

#include "cfs.h"
#include "running.h"

struct cfs_directories {
    char **lowers; /* realpath(3) of each lower layer, bottom to top */
    int nlowers;
    char *upper;               /* realpath(3) of WRITEDIR */
    char mountpoint[PATH_MAX]; /* realpath(3) of TMPDIR, which the overlay goes over */
    char work[PATH_MAX];       /* --overlay-workdir, or one made beside WRITEDIR */
    int made_work;             /* work was made here, so it is removed here */
    /* flock(2)ed descriptors, -1 when not open: held until the container is
     * reaped, so a second run sees them taken and the next run after a
     * kill -9 sees them free (the kernel drops a dead process's locks). */
    int upper_lock;
    int work_lock;
    int absent_mount_points;    /* bit N: mount_points[N] was not in WRITEDIR when it was locked */
    struct cfs_running running; /* our entry among the running containers (running.c) */
};

/* An exclusive flock(2) on the directory DIR, taken without waiting, on a
 * close-on-exec descriptor: the descriptor, or -1 (EWOULDBLOCK while another
 * holds it).  The kernel drops it with its holder's last descriptor, even
 * after SIGKILL.  WRITEDIR, work directories and cgroups are locked so. */
int cfs_lock_directory(const char *dir);

/* The pid that holds an flock(2) on the file st describes, as this PID
 * namespace numbers it (/proc/locks), or 0. */
int cfs_lock_holder(const struct stat *st);

/* Returns 0, or -1 with *err filled; call cfs_remove_directories either way. */
int cfs_make_directories(const args_t *args, struct cfs_directories *dirs, cfs_error_t *err);
void cfs_remove_directories(struct cfs_directories *dirs);
/* After a failed run: remove from WRITEDIR the empty proc, dev and sys the
 * child made there as mount points, which were not there before. */
void cfs_remove_made_mount_points(const struct cfs_directories *dirs);

#endif
