/* Error records: which step failed, on which path, with which errno. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container.h"

static const char *const step_names[] = {
    [CFS_STEP_NONE] = "run",
    [CFS_STEP_OPTIONS] = "build overlay options",
    [CFS_STEP_PREPARE] = "prepare",
    [CFS_STEP_CLONE] = "clone",
    [CFS_STEP_PRIVATE] = "make mounts private",
    [CFS_STEP_OVERLAY] = "mount overlay",
    [CFS_STEP_PROC] = "mount proc",
    [CFS_STEP_DEV] = "mount dev",
    [CFS_STEP_SYS] = "mount sys",
    [CFS_STEP_PIVOT] = "pivot_root",
    [CFS_STEP_SIGNALS] = "reset signals",
    [CFS_STEP_FDS] = "close descriptors",
    [CFS_STEP_EXEC] = "exec",
    [CFS_STEP_WAIT] = "waitpid",
    [CFS_STEP_MKNOD] = "mknod",
    [CFS_STEP_NODE_OWNER] = "chown node",
    [CFS_STEP_NODE_MODE] = "chmod node",
    [CFS_STEP_NODE_TIMES] = "set node times",
};

const char *
cfs_step_name(int step)
{
    if (step < 0 || step > CFS_STEP_LAST)
        return "unknown step";
    return step_names[step];
}

/* Async-signal-safe: the child calls this between clone and exec, so it
 * copies by hand instead of calling anything that might allocate. */
void
cfs_set_error(cfs_error_t *err, int step, const char *path, int errnum)
{
    size_t i = 0;

    err->step = step;
    err->err = errnum;
    for (; path != NULL && path[i] != '\0' && i + 1 < sizeof err->path; i++)
        err->path[i] = path[i];
    err->path[i] = '\0';
}

/* "mount overlay on `/tmp/x/root`: Invalid argument".  Paths the child used
 * relative to the new root are shown under the mountpoint. */
int
cfs_format_error(const cfs_error_t *err, const char *mountpoint, char *buf, size_t size)
{
    char reason[256];
    const char *why = strerror_r(err->err, reason, sizeof reason);
    const char *name = cfs_step_name(err->step);
    int relative = err->path[0] != '\0' && err->path[0] != '/' && mountpoint != NULL;

    if (err->step == CFS_STEP_OPTIONS && err->err == E2BIG)
        return snprintf(buf, size,
                        "%s: the layer paths make an option string longer than the kernel's "
                        "limit of %d bytes; use shorter paths or fewer layers",
                        name, CFS_OPTIONS_MAX - 1);
    if (err->path[0] == '\0')
        return snprintf(buf, size, "%s: %s", name, why);
    if (err->step == CFS_STEP_EXEC)
        return snprintf(buf, size, "%s `%s`: %s", name, err->path, why);
    if (relative)
        return snprintf(buf, size, "%s on `%s/%s`: %s", name, mountpoint, err->path, why);
    return snprintf(buf, size, "%s on `%s`: %s", name, err->path, why);
}
