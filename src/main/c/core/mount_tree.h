/* Flags for a mount and every mount below it (mount_tree.c). */
#ifndef CFS_MOUNT_TREE_H
#define CFS_MOUNT_TREE_H

/* Makes the mount on target, and each submount it carries, read-only when
 * read_only and nodev when nodev, keeping the flags each already has:
 * mount_setattr(2) with AT_RECURSIVE, or before Linux 5.12 a bind remount
 * of each mount found in /proc/self/mountinfo.  System calls only.
 * Returns 0, or -1 with errno set. */
int cfs_restrict_mount_tree(int trace, const char *target, unsigned long flags);

#endif
