/* zstd decoding for pull's zstd layers (tar+zstd, zstd:chunked), by the
 * system's libzstd (Debian's and Ubuntu's libzstd1, which apt itself needs),
 * opened with dlopen on first use: neither the build nor a container run
 * needs it, and without it a zstd layer is refused while gzip and plain
 * layers still pull.  Called through JNI (io.containerfs.linux.Native#zstdNew,
 * used by io.containerfs.pull.ZstdLayer). */
#ifndef CFS_ZSTD_H
#define CFS_ZSTD_H

#include <stddef.h>

struct cfs_zstd;

/* A new decoder, or NULL with errno set: ENOENT when libzstd.so.1 (1.4.0 or
 * later) cannot be opened, ENOMEM. */
struct cfs_zstd *cfs_zstd_new(void);

/* Decodes what it can of in_len bytes at in into out_len bytes at out, and
 * sets *in_used and *out_made.  Skippable frames (zstd:chunked's table of
 * contents) give nothing.  Returns 0 when the bytes so far end between two
 * frames (a whole stream), 1 when they end inside a frame, -1 when they are
 * not valid zstd or ask for too large a window (cfs_zstd_error says which). */
int cfs_zstd_decode(struct cfs_zstd *zstd, const void *in, size_t in_len, size_t *in_used,
                    void *out, size_t out_len, size_t *out_made);

/* libzstd's words for the last error of cfs_zstd_decode, NULL if none. */
const char *cfs_zstd_error(const struct cfs_zstd *zstd);

void cfs_zstd_free(struct cfs_zstd *zstd);

#endif
