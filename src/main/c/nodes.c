/* Device nodes and FIFOs for pull --allow-devices: the one thing java.nio
 * cannot make.  java.nio cannot even finish one: on JDK 17 it sets times and
 * modes with NOFOLLOW_LINKS through open(O_RDONLY|O_NOFOLLOW), which blocks
 * forever on a FIFO and opens the device behind a node.  So every step here
 * works on the path, never on an open descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "nodes.h"

/* As tar --same-owner -p: mknod, then the owner, then the mode (chown(2)
 * clears setuid and setgid, and mknod(2)'s mode is cut by the umask), then
 * the mtime.  mknod(2) never follows a symlink in the last component (it
 * fails with EEXIST), and fchmodat(2) then finds the node just made.  On
 * failure the half-made node is left: pull removes the whole tree. */
int
cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor, int uid,
              int gid, long long mtime_sec, long mtime_nsec)
{
    struct timespec times[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
                                 { .tv_sec = (time_t)mtime_sec, .tv_nsec = mtime_nsec } };

    if (!S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode)) {
        errno = EINVAL;
        return CFS_NODE_MKNOD;
    }
    if (mknod(path, mode, S_ISFIFO(mode) ? 0 : makedev(major, minor)) < 0)
        return CFS_NODE_MKNOD;
    /* -1 keeps the owner (chown(2)), as pull does without root. */
    if ((uid != -1 || gid != -1)
        && fchownat(AT_FDCWD, path, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
        return CFS_NODE_OWNER;
    if (fchmodat(AT_FDCWD, path, mode & 07777, 0) < 0)
        return CFS_NODE_MODE;
    /* The atime stays as mknod set it: tar -x does not restore it either. */
    if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0)
        return CFS_NODE_TIMES;
    return 0;
}

int
cfs_format_node_error(int step, const char *path, int errnum, char *buf, size_t size)
{
    static const char *const names[CFS_NODE_COUNT] = {
        [CFS_NODE_NONE] = "make node",       [CFS_NODE_MKNOD] = "mknod",
        [CFS_NODE_OWNER] = "chown node",     [CFS_NODE_MODE] = "chmod node",
        [CFS_NODE_TIMES] = "set node times",
    };
    char reason[256];

    if (step < 0 || step >= CFS_NODE_COUNT)
        step = CFS_NODE_NONE;
    return snprintf(buf, size, "%s on `%s`: %s", names[step], path,
                    strerror_r(errnum, reason, sizeof reason));
}
