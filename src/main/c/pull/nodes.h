/* What pull makes of a tar entry, by system call: device nodes and FIFOs
 * (--allow-devices), which java.nio cannot make; and, where the library is
 * loaded, every file's creation, contents, owner, mode and mtime, in a few
 * calls where java.nio takes many more.  Not part of a container.  Called
 * through JNI (io.containerfs.linux.Native#makeNode and the rest). */
#ifndef CFS_NODES_H
#define CFS_NODES_H

#include <stddef.h>

/* The steps of making one node, in order.  They cross JNI as numbers:
 * io.containerfs.linux.NodeException.Step lists the same names in the same
 * order (StepTest checks it). */
enum cfs_node_step {
    CFS_NODE_NONE = 0,
    CFS_NODE_MKNOD,  /* mknod the device node or FIFO */
    CFS_NODE_OWNER,  /* give it the archive's owner */
    CFS_NODE_MODE,   /* give it the archive's exact mode */
    CFS_NODE_TIMES,  /* give it the archive's mtime */
    CFS_NODE_CREATE, /* create a regular file */
    CFS_NODE_WRITE,  /* write its contents */
    CFS_NODE_CLOSE,  /* close it */
    CFS_NODE_OPEN,   /* open a directory or file to set its metadata */
    CFS_NODE_XATTR,  /* mark a directory opaque for overlayfs */
    CFS_NODE_COUNT
};

/* Make a character or block device or a FIFO (mode holds S_IFCHR, S_IFBLK or
 * S_IFIFO and the permission bits) with the given owner (-1 keeps it), exact
 * mode and mtime, never through an open descriptor.  Returns 0, or the step
 * that failed with errno set. */
int cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor,
                  int uid, int gid, long long mtime_sec, long mtime_nsec);

/* Give the directory, regular file or symlink at path (mode holds its type
 * and permission bits) the given owner (-1 keeps it), exact mode (not for a
 * symlink) and mtime, never following a symlink at its end: a directory or
 * file is changed through a descriptor opened with O_NOFOLLOW.  Returns 0,
 * or the step that failed with errno set (OPEN with ENOTDIR or ELOOP when a
 * symlink is where a directory or file was said to be). */
int cfs_set_metadata(const char *path, unsigned int mode, int uid, int gid, long long mtime_sec,
                     long mtime_nsec);

/* A new regular file at path, open for writing, mode 0600 until
 * cfs_finish_file: O_CREAT|O_EXCL fails on anything already there, a symlink
 * included (EEXIST), and O_NOFOLLOW never follows one.  Returns the
 * descriptor, or -1 with errno set. */
int cfs_create_file(const char *path);

/* Gives the file open as fd the owner (-1 keeps it), exact mode and mtime,
 * through the descriptor, then closes it, on failure too.  Returns 0, or
 * the step that failed with errno set. */
int cfs_finish_file(int fd, unsigned int mode, int uid, int gid, long long mtime_sec,
                    long mtime_nsec);

/* Mark the directory at path opaque, as overlayfs does when a directory
 * replaces one of a lower layer: the xattr trusted.overlay.opaque=y (see the
 * kernel's Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
 * directories").  Pull makes an image layer's ".wh..wh..opq" into it.  The
 * directory is opened O_NOFOLLOW, so a symlink is refused (ELOOP).  Root's
 * layers get trusted.* (CAP_SYS_ADMIN); an ordinary user's user.overlay.opaque,
 * which its rootless overlay reads: the kernel's with "userxattr" (Linux 5.11)
 * and fuse-overlayfs.  Returns 0, or the step that failed with errno set. */
int cfs_mark_opaque(const char *path);

/* Whether the directory at path is marked opaque as cfs_mark_opaque marks
 * it, for this process's overlay (trusted.* for root, user.* otherwise); the
 * xattr is read from path itself, never through a symlink at its end.  0 for
 * anything else, errors included (no such file, no xattrs on the file
 * system).  The layers' users look it up before mounting (MergedFile). */
int cfs_is_opaque(const char *path);

/* "mknod on `PATH`: No such file or directory". */
int cfs_format_node_error(int step, const char *path, int errnum, char *buf, size_t size);

#endif
