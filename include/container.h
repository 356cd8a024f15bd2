/* container-fs C core: run a command in a new mount and PID namespace whose
 * root is an overlay of the given layers.
 *
 * Every exported symbol starts with cfs_.  This header has no JNI in it: the
 * same core is called by the JNI bridge (jni_native.c) and by the plain C
 * front end (main.c). */
#ifndef CFS_CONTAINER_H
#define CFS_CONTAINER_H

#include <stddef.h>

/* The kernel copies at most one page of mount(2) data and silently cuts the
 * rest (fs/namespace.c: copy_mount_options), so a longer option string could
 * mount the wrong layers.  We refuse anything that does not fit. */
#define CFS_OPTIONS_MAX 4096

/* Exit codes, as docker run uses them. */
#define CFS_EXIT_FAILED 125     /* container-fs itself failed */
#define CFS_EXIT_CANNOT_RUN 126 /* the command exists but cannot be run */
#define CFS_EXIT_NOT_FOUND 127  /* the command is not in the container */

/* The steps that build a container, in the order they run. */
enum cfs_step {
    CFS_STEP_NONE = 0,
    CFS_STEP_OPTIONS, /* build the overlay option string (parent) */
    CFS_STEP_PREPARE, /* pipe, stack, signal dispositions (parent) */
    CFS_STEP_CLONE,   /* clone the child into new namespaces (parent) */
    CFS_STEP_PRIVATE, /* make every mount private (child) */
    CFS_STEP_OVERLAY, /* mount the overlay (child) */
    CFS_STEP_PROC,    /* mount /proc */
    CFS_STEP_DEV,     /* populate a minimal /dev */
    CFS_STEP_SYS,     /* mount a read-only /sys */
    CFS_STEP_PIVOT,   /* pivot_root into the overlay */
    CFS_STEP_SIGNALS, /* default dispositions, empty mask */
    CFS_STEP_FDS,     /* no inherited descriptor above 2 */
    CFS_STEP_EXEC,    /* execvp the command */
    CFS_STEP_WAIT,    /* waitpid (parent) */
    /* Not part of a container: pull --allow-devices making a node (nodes.c). */
    CFS_STEP_MKNOD,      /* mknod the device node or FIFO */
    CFS_STEP_NODE_OWNER, /* give it the archive's owner */
    CFS_STEP_NODE_MODE,  /* give it the archive's exact mode */
    CFS_STEP_NODE_TIMES, /* give it the archive's mtime */
    CFS_STEP_LAST = CFS_STEP_NODE_TIMES
};

/* What failed: the step, the path it worked on (may be empty) and errno.
 * The child sends this record to the parent over a close-on-exec pipe. */
typedef struct {
    int step;
    int err;
    char path[512];
} cfs_error_t;

/* Everything the child needs, prepared before clone(): after clone the
 * child of a multithreaded JVM may only make system calls. */
typedef struct {
    int argc;                      /* number of words of the command */
    char **argv;                   /* calloc'd, NULL-terminated copy */
    const char *mountpoint;        /* empty directory the overlay is mounted on */
    char options[CFS_OPTIONS_MAX]; /* "lowerdir=…,upperdir=…,workdir=…" */
    int trace;                     /* print each system call to stderr */
} args_t;

/* utils.c: the overlay option string. */
int cfs_append_string(char *buf, size_t size, size_t *len, const char *s);
int cfs_escape_directory(char *buf, size_t size, size_t *len, const char *dir);
int cfs_build_overlay_options(char *buf, size_t size, const char *const *lowers, int nlowers,
                              const char *upper, const char *work, cfs_error_t *err);

/* container.c: clone, set up, exec, wait.  Returns 0 with *wait_status set
 * once the child has been reaped, or -1 with *err filled.  A failure of the
 * child's set-up or exec is reported in *err and still returns -1. */
int cfs_run_container(const args_t *args, cfs_error_t *err, int *wait_status);

/* nodes.c: make a character or block device or a FIFO (mode holds S_IFCHR,
 * S_IFBLK or S_IFIFO and the permission bits) with the given owner (-1 keeps
 * it), exact mode and mtime, never through an open descriptor.  Returns 0, or
 * -1 with *err filled. */
int cfs_make_node(const char *path, unsigned int mode, unsigned int major, unsigned int minor,
                  int uid, int gid, long long mtime_sec, long mtime_nsec, cfs_error_t *err);

/* errors.c */
const char *cfs_step_name(int step);
void cfs_set_error(cfs_error_t *err, int step, const char *path, int errnum);
int cfs_format_error(const cfs_error_t *err, const char *mountpoint, char *buf, size_t size);

#endif
