/* SHA-2 through OpenSSL's libcrypto (include/digest.h).  Only the EVP calls
 * that both libcrypto 3 (Debian 12, Ubuntu 22.04 and later) and 1.1 (the
 * course's Ubuntu 20.04) export under the same names. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "digest.h"
#include "library.h"

static struct libcrypto {
    void *(*ctx_new)(void);
    void (*ctx_free)(void *ctx);
    const void *(*sha256)(void);
    const void *(*sha512)(void);
    int (*init)(void *ctx, const void *type, void *engine);
    int (*update)(void *ctx, const void *data, size_t len);
    int (*final)(void *ctx, unsigned char *out, unsigned int *len);
} crypto;

struct cfs_digest {
    void *ctx; /* EVP_MD_CTX */
    int length;
};

/* The sonames to try, newest first. */
static const char *const SONAMES[] = { "libcrypto.so.3", "libcrypto.so.1.1", NULL };

static int
bind_libcrypto(void *handle)
{
    *(void **)&crypto.ctx_new = dlsym(handle, "EVP_MD_CTX_new");
    *(void **)&crypto.ctx_free = dlsym(handle, "EVP_MD_CTX_free");
    *(void **)&crypto.sha256 = dlsym(handle, "EVP_sha256");
    *(void **)&crypto.sha512 = dlsym(handle, "EVP_sha512");
    *(void **)&crypto.init = dlsym(handle, "EVP_DigestInit_ex");
    *(void **)&crypto.update = dlsym(handle, "EVP_DigestUpdate");
    *(void **)&crypto.final = dlsym(handle, "EVP_DigestFinal_ex");
    return crypto.ctx_new != NULL && crypto.ctx_free != NULL && crypto.sha256 != NULL
           && crypto.sha512 != NULL && crypto.init != NULL && crypto.update != NULL
           && crypto.final != NULL;
}

static struct cfs_library libcrypto = CFS_LIBRARY(SONAMES, bind_libcrypto);

struct cfs_digest *
cfs_digest_new(int bits)
{
    struct cfs_digest *digest;

    if (bits != 256 && bits != 512) {
        errno = EINVAL;
        return NULL;
    }
    if (!cfs_library_load(&libcrypto)) {
        errno = ENOENT;
        return NULL;
    }
    digest = malloc(sizeof *digest);
    if (digest == NULL)
        return NULL;
    digest->length = bits / 8;
    digest->ctx = crypto.ctx_new();
    if (digest->ctx == NULL
        || !crypto.init(digest->ctx, bits == 256 ? crypto.sha256() : crypto.sha512(), NULL)) {
        cfs_digest_free(digest);
        errno = ENOMEM;
        return NULL;
    }
    return digest;
}

int
cfs_digest_update(struct cfs_digest *digest, const void *data, size_t len)
{
    return crypto.update(digest->ctx, data, len) ? 0 : -1;
}

int
cfs_digest_finish(struct cfs_digest *digest, unsigned char *out, size_t size)
{
    unsigned int written = 0;
    int length = -1;

    if (size >= (size_t)digest->length && crypto.final(digest->ctx, out, &written)
        && written == (unsigned int)digest->length)
        length = digest->length;
    cfs_digest_free(digest);
    return length;
}

void
cfs_digest_free(struct cfs_digest *digest)
{
    if (digest == NULL)
        return;
    if (digest->ctx != NULL)
        crypto.ctx_free(digest->ctx);
    free(digest);
}
