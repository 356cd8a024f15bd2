/* The container's root: the overlay of the layers, mounted over TMPDIR in the
 * child's own mount namespace.  The parent chooses how (cfs_prepare_overlay:
 * the option string of mount(2), or the layers one by one when it would not
 * fit a page); the child mounts it and checks that it is writable. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "directories.h"
#include "overlay.h"
#include "trace.h"

/* Mounted in a user namespace (rootless), overlayfs may not write its
 * trusted.overlay.* xattrs (whiteouts, opaque directories): userxattr
 * (Linux 5.11) keeps them in user.overlay.* instead, as podman mounts it.
 * It refuses redirect_dir and metacopy, both off unless the overlay module's
 * parameters turn them on (Documentation/filesystems/overlayfs.rst). */
#define USERXATTR ",userxattr"

/* fsconfig(2) copies a string value of at most this many bytes, NUL included. */
#define FSCONFIG_VALUE_MAX 256

/* The option string for mount(2), or none when the layers make it longer
 * than a page: the child then gives them one by one (cfs_mount_overlay). */
int
cfs_prepare_overlay(char *options, size_t size, const struct cfs_directories *dirs, int userxattr,
                    cfs_error_t *err)
{
    size_t len;

    if (dirs->lowers == NULL) { /* a given root filesystem: no overlay */
        options[0] = '\0';
        return 0;
    }
    if (cfs_build_overlay_options(options, size, (const char *const *)dirs->lowers, dirs->nlowers,
                                  dirs->upper, dirs->work, err)
        == 0) {
        len = strlen(options);
        if (!userxattr || cfs_append_string(options, size, &len, USERXATTR) == 0)
            return 0;
        cfs_set_error(err, CFS_STEP_OPTIONS, "", E2BIG);
    }
    if (err->err != E2BIG)
        return -1;
    memset(err, 0, sizeof *err);
    options[0] = '\0';
    return 0;
}

/* The last error message the kernel logged on an fsopen(2) context ("e
 * overlayfs: maximum fs stacking depth exceeded"), into err->detail: what
 * mount(2) leaves in the kernel log only. */
static void
read_kernel_log(int fs, cfs_error_t *err)
{
    char line[sizeof err->detail + 2];
    ssize_t n;

    while ((n = read(fs, line, sizeof line - 1)) > 0) {
        size_t i = 0;

        if (n < 2 || line[0] != 'e' || line[1] != ' ')
            continue;
        for (; i + 2 < (size_t)n && line[i + 2] != '\n' && i + 1 < sizeof err->detail; i++)
            err->detail[i] = line[i + 2];
        err->detail[i] = '\0';
    }
}

/* One fsconfig(2) per layer, top first as lowerdir wants them ("lowerdir+",
 * Linux 6.8): no page limit on the whole, up to overlayfs's own 500
 * layers.  The kernel unescapes each path as it does in lowerdir, and
 * copies at most 256 bytes of a value (fs/fsopen.c): a longer one is
 * ENAMETOOLONG here rather than a bare EINVAL there.  Returns -1 at the
 * first call that fails, errno set. */
static int
configure_overlay(const struct cfs_directories *dirs, int userxattr, int trace, int fs)
{
    char escaped[2 * PATH_MAX];
    size_t len;

    if (userxattr && cfs_traced_fsconfig_flag(trace, fs, USERXATTR + 1) < 0)
        return -1;
    for (int i = dirs->nlowers - 1; i >= 0; i--) {
        len = 0;
        escaped[0] = '\0';
        if (cfs_escape_directory(escaped, sizeof escaped, &len, dirs->lowers[i]) < 0
            || len >= FSCONFIG_VALUE_MAX) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (cfs_traced_fsconfig_string(trace, fs, "lowerdir+", escaped) < 0)
            return -1;
    }
    if (dirs->upper == NULL) /* --read-only: the lower layers alone, read-only */
        return cfs_traced_fsconfig_create(trace, fs);
    len = 0;
    escaped[0] = '\0';
    if (cfs_escape_directory(escaped, sizeof escaped, &len, dirs->upper) < 0
        || len >= FSCONFIG_VALUE_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (cfs_traced_fsconfig_string(trace, fs, "upperdir", escaped) < 0)
        return -1;
    len = 0;
    escaped[0] = '\0';
    if (cfs_escape_directory(escaped, sizeof escaped, &len, dirs->work) < 0
        || len >= FSCONFIG_VALUE_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (cfs_traced_fsconfig_string(trace, fs, "workdir", escaped) < 0)
        return -1;
    return cfs_traced_fsconfig_create(trace, fs);
}

/* A layer is anyone's tarball: a device node in it would reach the host's
 * device (a disk, /dev/kvm) from inside, and the seccomp rule on mknod(2)
 * cannot see nodes the layers already hold.  So the root is nodev, as
 * Docker's is; --privileged keeps them working.  Its own /dev is a tmpfs
 * of ours (rootfs.c).  --read-only: the mount itself read-only too. */
static unsigned long
root_flags(const args_t *args)
{
    return (args->read_only ? MS_RDONLY : 0) | (args->privileged ? 0 : MS_NODEV);
}

/* The same for fsmount(2), as MOUNT_ATTR_* bits. */
static unsigned int
root_attributes(const args_t *args)
{
    return (args->read_only ? CFS_MOUNT_ATTR_RDONLY : 0)
           | (args->privileged ? 0 : CFS_MOUNT_ATTR_NODEV);
}

/* A stack whose option string does not fit in mount(2)'s page.  Without
 * fsopen(2) (before Linux 5.2) or lowerdir+ (before 6.8), it cannot be
 * mounted: the user gets the page limit, the same on every run. */
static int
mount_overlay_by_layer(const args_t *args, const struct cfs_directories *dirs, int userxattr,
                       cfs_error_t *err)
{
    const int trace = args->trace;
    int fs = cfs_traced_fsopen(trace, "overlay"), mnt = -1, result = -1;

    if (fs < 0) {
        cfs_set_error(err, CFS_STEP_OPTIONS, "", E2BIG);
        return -1;
    }
    if (configure_overlay(dirs, userxattr, trace, fs) < 0) {
        cfs_fail(err, CFS_STEP_OVERLAY, dirs->mountpoint);
        read_kernel_log(fs, err);
        /* 6.5 to 6.7 name the unknown "lowerdir+".  Before 6.5 overlayfs
         * takes fsconfig(2) through the legacy adapter, which joins every
         * "key=value" into one page (fs/fs_context.c, legacy_parse_param())
         * and so refuses a stack past a page before overlayfs sees it. */
        if ((err->err == EINVAL && strstr(err->detail, "lowerdir+") != NULL)
            || (err->err == EINVAL && strstr(err->detail, "Cumulative options too large") != NULL)
            || err->err == ENAMETOOLONG)
            cfs_set_error(err, CFS_STEP_OPTIONS, "", E2BIG);
    } else if ((mnt = cfs_traced_fsmount(trace, fs, root_attributes(args))) < 0
               || cfs_traced_move_mount(trace, mnt, dirs->mountpoint) < 0) {
        cfs_fail(err, CFS_STEP_OVERLAY, dirs->mountpoint);
    } else {
        result = 0;
    }
    if (mnt >= 0)
        close(mnt);
    close(fs);
    return result;
}

/* After a failed mount: when a lower layer is not there any more (removed
 * since layers.c found it), that is the error, in the words layers.c uses
 * for a layer it cannot find.  Returns -1. */
static int
name_missing_layer(const struct cfs_directories *dirs, cfs_error_t *err)
{
    struct stat st;

    for (int i = 0; i < dirs->nlowers; i++)
        if (stat(dirs->lowers[i], &st) < 0)
            return cfs_fail(err, CFS_STEP_LAYERS, dirs->lowers[i]);
    return -1;
}

/* mount(2) with the option string, as the course does, when it fits in a
 * page; one layer at a time when it does not.  The mountpoint is TMPDIR:
 * the course makes an empty directory for it, but our mounts are private
 * by now, so the overlay can cover any directory and the host sees none of
 * it (directories.c, check_mountpoint()).  When mount(2) fails, the
 * reason is in the kernel log only: ask again through fsopen(2), which
 * keeps the kernel's words for us (quietly, and where it exists). */
/* A given root filesystem in place of the overlay: bound onto itself, so
 * that it is a mount point pivot_root(2) can take, and read-only when asked
 * (a bind mount takes MS_RDONLY only on a remount, mount(2)). */
static int
bind_rootfs(const args_t *args, const char *root, cfs_error_t *err)
{
    if (cfs_traced_mount(args->trace, root, root, NULL, MS_BIND | MS_REC, NULL) < 0
        || (args->read_only
            && cfs_traced_mount(args->trace, root, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY,
                                NULL)
                   < 0))
        return cfs_fail(err, CFS_STEP_OVERLAY, root);
    return 0;
}

int
cfs_mount_overlay(const args_t *args, const struct cfs_directories *dirs, const char *options,
                  int userxattr, cfs_error_t *err)
{
    int fs;

    if (args->rootfs != NULL)
        return bind_rootfs(args, dirs->mountpoint, err);
    if (options[0] == '\0')
        return mount_overlay_by_layer(args, dirs, userxattr, err) == 0
                   ? 0
                   : name_missing_layer(dirs, err);
    if (cfs_traced_mount(args->trace, "overlay", dirs->mountpoint, "overlay", root_flags(args),
                         options)
        == 0)
        return 0;
    cfs_fail(err, CFS_STEP_OVERLAY, dirs->mountpoint);
    fs = cfs_traced_fsopen(0, "overlay");
    if (fs >= 0) {
        cfs_error_t why = *err;
        if (configure_overlay(dirs, userxattr, 0, fs) < 0)
            read_kernel_log(fs, &why);
        memcpy(err->detail, why.detail, sizeof err->detail);
        close(fs);
    }
    return name_missing_layer(dirs, err);
}

/* When overlayfs cannot make work/ in its work directory (no free inode, or
 * an upper filesystem without what it needs), it does not fail: it mounts
 * the root read-only and says so only in the kernel log ("mounting
 * read-only", fs/overlayfs/super.c).  The command would run and every write
 * fail, so we stop here, before anything runs. */
int
cfs_check_root_writable(const args_t *args, const struct cfs_directories *dirs, cfs_error_t *err)
{
    struct statfs st;

    if (args->read_only || args->rootfs != NULL) /* asked for; or not ours to check */
        return 0;
    if (statfs(dirs->mountpoint, &st) < 0)
        return cfs_fail(err, CFS_STEP_WRITABLE, dirs->mountpoint);
    if (st.f_flags & ST_RDONLY) {
        errno = EROFS;
        return cfs_fail(err, CFS_STEP_WRITABLE, dirs->work);
    }
    return 0;
}
