/* The overlay option string, built as the course's utils.c builds it (step 3). */
#include <errno.h>
#include <string.h>

#include "overlay.h"

/* Append s to buf (which holds *len bytes and a NUL).  Refuses, leaving buf
 * as it was, when s and the terminating NUL would not fit. */
int
cfs_append_string(char *buf, size_t size, size_t *len, const char *s)
{
    size_t n = strlen(s);

    if (*len + n + 1 > size)
        return -1;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/* Append dir with every '\', ',' and ':' escaped by a backslash.  overlayfs
 * splits its options at ',' and lowerdir at ':', and unescapes '\x' to 'x'
 * (Documentation/filesystems/overlayfs.rst, "Multiple lower layers"), so a
 * path holding any of them must be escaped or the kernel mounts other
 * directories than the user named. */
int
cfs_escape_directory(char *buf, size_t size, size_t *len, const char *dir)
{
    size_t start = *len;
    char one[3] = { '\\', 0, 0 };

    for (const char *p = dir; *p != '\0'; p++) {
        int special = (*p == '\\' || *p == ',' || *p == ':');
        one[0] = special ? '\\' : *p;
        one[1] = special ? *p : '\0';
        if (cfs_append_string(buf, size, len, one) < 0) {
            *len = start;
            buf[start] = '\0';
            return -1;
        }
    }
    return 0;
}

/* "lowerdir=L_n:...:L_1,upperdir=U,workdir=W".  Users list layers bottom to
 * top, as the course does; overlayfs wants lowerdir top first ("the
 * specified lower directories will be stacked beginning from the rightmost
 * one and going left"), so the lower layers are appended in reverse. */
int
cfs_build_overlay_options(char *buf, size_t size, const char *const *lowers, int nlowers,
                          const char *upper, const char *work, cfs_error_t *err)
{
    size_t len = 0;
    int ok = 0;

    if (size == 0 || nlowers < 1) {
        cfs_set_error(err, CFS_STEP_OPTIONS, "", EINVAL);
        return -1;
    }
    buf[0] = '\0';
    ok |= cfs_append_string(buf, size, &len, "lowerdir=");
    for (int i = nlowers - 1; i >= 0 && ok == 0; i--) {
        ok |= cfs_escape_directory(buf, size, &len, lowers[i]);
        if (i > 0)
            ok |= cfs_append_string(buf, size, &len, ":");
    }
    /* Without an upper layer (--read-only) overlayfs mounts the lower ones
     * alone, read-only, if there are at least two. */
    if (upper != NULL) {
        ok |= cfs_append_string(buf, size, &len, ",upperdir=");
        ok |= cfs_escape_directory(buf, size, &len, upper);
        ok |= cfs_append_string(buf, size, &len, ",workdir=");
        ok |= cfs_escape_directory(buf, size, &len, work);
    }
    if (ok != 0) {
        /* Never pass a truncated string on: the kernel would mount it. */
        buf[0] = '\0';
        cfs_set_error(err, CFS_STEP_OPTIONS, "", E2BIG);
        return -1;
    }
    return 0;
}
