/* Device nodes and FIFOs for pull --allow-devices: the one thing java.nio
 * cannot make.  java.nio cannot even finish one: on JDK 17 it sets times and
 * modes with NOFOLLOW_LINKS through open(O_RDONLY|O_NOFOLLOW), which blocks
 * forever on a FIFO and opens the device behind a node.  So every step here
 * works on the path, never on an open descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "container.h"

/* As tar --same-owner -p: mknod, then the owner, then the mode (chown(2)
 * clears setuid and setgid, and mknod(2)'s mode is cut by the umask), then
 * the mtime.  mknod(2) never follows a symlink in the last component (it
 * fails with EEXIST), and fchmodat(2) then finds the node just made.  On
 * failure the half-made node is left: pull removes the whole tree. */
int
cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor, int uid,
              int gid, long long mtime_sec, long mtime_nsec, cfs_error_t *err)
{
    struct timespec times[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
                                 { .tv_sec = (time_t)mtime_sec, .tv_nsec = mtime_nsec } };

    if (!S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode)) {
        cfs_set_error(err, CFS_STEP_MKNOD, path, EINVAL);
        return -1;
    }
    if (mknod(path, mode, S_ISFIFO(mode) ? 0 : makedev(major, minor)) < 0) {
        cfs_set_error(err, CFS_STEP_MKNOD, path, errno);
        return -1;
    }
    /* -1 keeps the owner (chown(2)), as pull does without root. */
    if ((uid != -1 || gid != -1)
        && fchownat(AT_FDCWD, path, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0) {
        cfs_set_error(err, CFS_STEP_NODE_OWNER, path, errno);
        return -1;
    }
    if (fchmodat(AT_FDCWD, path, mode & 07777, 0) < 0) {
        cfs_set_error(err, CFS_STEP_NODE_MODE, path, errno);
        return -1;
    }
    /* The atime stays as mknod set it: tar -x does not restore it either. */
    if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0) {
        cfs_set_error(err, CFS_STEP_NODE_TIMES, path, errno);
        return -1;
    }
    return 0;
}
