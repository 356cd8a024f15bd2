/* SHA-256 and SHA-512 for pull, computed by OpenSSL's libcrypto: the checks
 * of a tarball, without the JDK's security providers and with the CPU's SHA
 * instructions.  libcrypto is opened with dlopen on first use, so neither
 * the build nor a container run needs it; without it, pull uses the JDK.
 * Called through JNI (io.containerfs.linux.Native#digestNew). */
#ifndef CFS_DIGEST_H
#define CFS_DIGEST_H

#include <stddef.h>

struct cfs_digest;

/* A new SHA-256 (bits 256) or SHA-512 (bits 512) digest, or NULL with errno
 * set: ENOENT when no libcrypto (3 or 1.1) can be opened, EINVAL for other
 * bits, ENOMEM. */
struct cfs_digest *cfs_digest_new(int bits);

/* Adds len bytes.  Returns 0, or -1 when libcrypto fails. */
int cfs_digest_update(struct cfs_digest *digest, const void *data, size_t len);

/* Writes the digest (bits / 8 bytes) to out, which holds size bytes, and
 * frees digest.  Returns the digest's length, or -1. */
int cfs_digest_finish(struct cfs_digest *digest, unsigned char *out, size_t size);

/* Frees a digest that will not be finished. */
void cfs_digest_free(struct cfs_digest *digest);

#endif
