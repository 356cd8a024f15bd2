/* --trace: the system calls that build the container, printed to stderr in
 * strace's form as they happen.  Used in the child between clone and exec,
 * so it formats into a fixed buffer and calls write(2) only.  A --step pause
 * armed before a step (step.c) is made by the next call here, which shows
 * itself, as it is about to be made, in the same words. */
#ifndef CFS_TRACE_H
#define CFS_TRACE_H

#include <linux/filter.h>
#include <sys/types.h>

int cfs_traced_mount(int trace, const char *source, const char *target, const char *fstype,
                     unsigned long flags, const char *data);
int cfs_traced_umount2(int trace, const char *target, int flags);
int cfs_traced_mkdir(int trace, const char *path, mode_t mode);
int cfs_traced_mknod_char(int trace, const char *path, mode_t perm, unsigned int major,
                          unsigned int minor);
int cfs_traced_symlink(int trace, const char *target, const char *linkpath);
int cfs_traced_chdir(int trace, const char *path);
int cfs_traced_pivot_root(int trace, const char *new_root, const char *put_old);
/* The new mount API (fsopen(2), Linux 5.2), for a stack too long for one
 * page of mount(2) options: as strace prints these calls. */
int cfs_traced_fsopen(int trace, const char *fstype);
int cfs_traced_fsconfig_string(int trace, int fd, const char *key, const char *value);
int cfs_traced_fsconfig_flag(int trace, int fd, const char *key);
int cfs_traced_fsconfig_create(int trace, int fd);
/* mount_setattr(2)'s and fsmount(2)'s MOUNT_ATTR_* (linux/mount.h), which
 * glibc 2.31 lacks; the same numbers on every architecture. */
#define CFS_MOUNT_ATTR_RDONLY 0x00000001U
#define CFS_MOUNT_ATTR_NOSUID 0x00000002U
#define CFS_MOUNT_ATTR_NODEV 0x00000004U
#define CFS_MOUNT_ATTR_NOEXEC 0x00000008U
int cfs_traced_fsmount(int trace, int fd, unsigned int attr);
int cfs_traced_move_mount(int trace, int fd, const char *target);
/* mount_setattr(2) (Linux 5.12) on path and every mount below it
 * (AT_RECURSIVE): ENOSYS before 5.12. */
int cfs_traced_mount_setattr_tree(int trace, const char *path, unsigned int attr_set);
void cfs_trace_execvp(int trace, char *const argv[]);
int cfs_traced_sethostname(int trace, const char *name);
int cfs_traced_prctl(int trace, int option, const char *option_name, unsigned long arg,
                     const char *arg_name);
int cfs_traced_seccomp_filter(int trace, const struct sock_fprog *prog);
int cfs_traced_capset(int trace, unsigned long long effective, unsigned long long permitted,
                      unsigned long long inheritable);
int cfs_traced_ambient_raise(int trace, unsigned long cap);
void cfs_trace_clone(int trace, int flags, pid_t pid, int errnum);
void cfs_trace_waitpid(int trace, pid_t pid, pid_t result, int status);
/* For a --step pause (step.c), in the words --trace uses, as a C string:
 * the clone(2) about to be made, "clone(CLONE_NEWNS|...|SIGCHLD)"; the
 * waitpid(2) that reaped pid, with its result. */
void cfs_format_clone(int flags, char *buf, size_t size);
void cfs_format_waitpid(pid_t pid, int status, char *buf, size_t size);

#endif
