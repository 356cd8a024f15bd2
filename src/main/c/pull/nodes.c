/* What pull makes of a tar entry (include/nodes.h).  Device nodes and FIFOs
 * for --allow-devices are the one thing java.nio cannot make, nor even
 * finish: on JDK 17 it sets times and modes with NOFOLLOW_LINKS through
 * open(O_RDONLY|O_NOFOLLOW), which blocks forever on a FIFO and opens the
 * device behind a node, so their steps work on the path.  A regular file is
 * made as tar makes one, its metadata set through its own descriptor: java.nio
 * opens it once to write, again for its times and again for its mode, and
 * builds a channel, a stream and a cleaner for each. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "nodes.h"

/* The owner, then the mode (chown(2) clears setuid and setgid), then the
 * mtime, each by path and without following a symlink at its end: a
 * symlink gets its owner and mtime (lchown, utimensat), never a mode, which
 * Linux does not have for one.  fchmodat(2) cannot refuse a symlink (Linux
 * has no AT_SYMLINK_NOFOLLOW for it before 6.6), so the mode is set only on
 * what the caller just made and knows is no symlink: a node. */
static int
set_metadata_by_path(const char *path, unsigned int mode, int uid, int gid, long long mtime_sec,
                     long mtime_nsec)
{
    struct timespec times[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
                                 { .tv_sec = (time_t)mtime_sec, .tv_nsec = mtime_nsec } };

    /* -1 keeps the owner (chown(2)), as pull does without root. */
    if ((uid != -1 || gid != -1)
        && fchownat(AT_FDCWD, path, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
        return CFS_NODE_OWNER;
    if (!S_ISLNK(mode) && fchmodat(AT_FDCWD, path, mode & 07777, 0) < 0)
        return CFS_NODE_MODE;
    /* The atime stays as creation set it: tar -x does not restore it either. */
    if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) < 0)
        return CFS_NODE_TIMES;
    return 0;
}

/* As tar --same-owner -p: mknod, then owner, mode and mtime by path.
 * mknod(2) never follows a symlink in the last component (it fails with
 * EEXIST), and mknod(2)'s mode is cut by the umask, which the exact mode set
 * next restores.  A node cannot be opened to be changed through a
 * descriptor (a FIFO blocks, a device opens the device), but this one was
 * just made here.  On failure the half-made node is left: pull removes the
 * whole tree. */
int
cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor, int uid,
              int gid, long long mtime_sec, long mtime_nsec)
{
    if (!S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode)) {
        errno = EINVAL;
        return CFS_NODE_MKNOD;
    }
    if (mknod(path, mode, S_ISFIFO(mode) ? 0 : makedev(major, minor)) < 0)
        return CFS_NODE_MKNOD;
    return set_metadata_by_path(path, mode, uid, gid, mtime_sec, mtime_nsec);
}

/* A symlink by path, never through it; a directory or file through a
 * descriptor that O_NOFOLLOW refuses to open on a symlink (ELOOP), so that
 * nothing a symlink points to changes, whatever type the caller says. */
int
cfs_set_metadata(const char *path, unsigned int mode, int uid, int gid, long long mtime_sec,
                 long mtime_nsec)
{
    int fd;

    if (S_ISLNK(mode))
        return set_metadata_by_path(path, mode, uid, gid, mtime_sec, mtime_nsec);
    if (!S_ISDIR(mode) && !S_ISREG(mode)) {
        errno = EINVAL;
        return CFS_NODE_OPEN;
    }
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(mode) ? O_DIRECTORY : 0));
    if (fd < 0)
        return CFS_NODE_OPEN;
    return cfs_finish_file(fd, mode, uid, gid, mtime_sec, mtime_nsec);
}

int
cfs_create_file(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* Owner, then mode (chown(2) clears setuid and setgid), then mtime, as
 * cfs_set_metadata, each through the descriptor: no path is looked up again.
 * close(2) reports a write the file system delayed (NFS); it is a step. */
int
cfs_finish_file(int fd, unsigned int mode, int uid, int gid, long long mtime_sec, long mtime_nsec)
{
    struct timespec times[2] = { { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
                                 { .tv_sec = (time_t)mtime_sec, .tv_nsec = mtime_nsec } };
    int step = CFS_NODE_NONE;

    if ((uid != -1 || gid != -1) && fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
        step = CFS_NODE_OWNER;
    else if (fchmod(fd, mode & 07777) < 0)
        step = CFS_NODE_MODE;
    else if (futimens(fd, times) < 0)
        step = CFS_NODE_TIMES;
    if (step != CFS_NODE_NONE) {
        int saved = errno;
        close(fd);
        errno = saved;
        return step;
    }
    return close(fd) < 0 ? CFS_NODE_CLOSE : CFS_NODE_NONE;
}

/* The opaque xattr this process's overlay reads: root mounts the kernel's
 * overlayfs, which reads trusted.*; an ordinary user's overlay (the kernel's
 * with "userxattr", or fuse-overlayfs) reads user.*. */
static const char *
opaque_xattr(void)
{
    return geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque";
}

int
cfs_mark_opaque(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_DIRECTORY);

    if (fd < 0)
        return CFS_NODE_OPEN;
    if (fsetxattr(fd, opaque_xattr(), "y", 1, 0) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return CFS_NODE_XATTR;
    }
    close(fd);
    return CFS_NODE_NONE;
}

int
cfs_is_opaque(const char *path)
{
    char value[2];

    return lgetxattr(path, opaque_xattr(), value, sizeof value) == 1 && value[0] == 'y';
}

int
cfs_format_node_error(int step, const char *path, int errnum, char *buf, size_t size)
{
    static const char *const names[CFS_NODE_COUNT] = {
        [CFS_NODE_NONE] = "make",       [CFS_NODE_MKNOD] = "mknod",
        [CFS_NODE_OWNER] = "chown",     [CFS_NODE_MODE] = "chmod",
        [CFS_NODE_TIMES] = "set times", [CFS_NODE_CREATE] = "create",
        [CFS_NODE_WRITE] = "write",     [CFS_NODE_CLOSE] = "close",
        [CFS_NODE_OPEN] = "open",       [CFS_NODE_XATTR] = "setxattr overlay.opaque",
    };
    char reason[256];

    if (step < 0 || step >= CFS_NODE_COUNT || names[step] == NULL)
        step = CFS_NODE_NONE;
    return snprintf(buf, size, "%s on `%s`: %s", names[step], path,
                    strerror_r(errnum, reason, sizeof reason));
}
