/* Device nodes and FIFOs for pull --allow-devices: not part of a container.
 * Called through JNI (io.containerfs.linux.Native#makeNode). */
#ifndef CFS_NODES_H
#define CFS_NODES_H

#include <stddef.h>

/* The steps of making one node, in order.  They cross JNI as numbers:
 * io.containerfs.linux.NodeException.Step lists the same names in the same
 * order (StepTest checks it). */
enum cfs_node_step {
    CFS_NODE_NONE = 0,
    CFS_NODE_MKNOD, /* mknod the device node or FIFO */
    CFS_NODE_OWNER, /* give it the archive's owner */
    CFS_NODE_MODE,  /* give it the archive's exact mode */
    CFS_NODE_TIMES, /* give it the archive's mtime */
    CFS_NODE_COUNT
};

/* Make a character or block device or a FIFO (mode holds S_IFCHR, S_IFBLK or
 * S_IFIFO and the permission bits) with the given owner (-1 keeps it), exact
 * mode and mtime, never through an open descriptor.  Returns 0, or the step
 * that failed with errno set. */
int cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor,
                  int uid, int gid, long long mtime_sec, long mtime_nsec);

/* "mknod on `PATH`: No such file or directory". */
int cfs_format_node_error(int step, const char *path, int errnum, char *buf, size_t size);

#endif
