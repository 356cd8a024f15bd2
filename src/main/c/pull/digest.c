/* SHA-2 through OpenSSL's libcrypto (include/digest.h).  Only the EVP calls
 * that both libcrypto 3 (Debian 12, Ubuntu 22.04 and later) and 1.1 (the
 * course's Ubuntu 20.04) export under the same names. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "digest.h"

/* The sonames to try, newest first: no libcrypto.so (a -dev package's link)
 * is needed. */
static const char *const SONAMES[] = { "libcrypto.so.3", "libcrypto.so.1.1" };

static struct libcrypto {
    void *(*ctx_new)(void);
    void (*ctx_free)(void *ctx);
    const void *(*sha256)(void);
    const void *(*sha512)(void);
    int (*init)(void *ctx, const void *type, void *engine);
    int (*update)(void *ctx, const void *data, size_t len);
    int (*final)(void *ctx, unsigned char *out, unsigned int *len);
} crypto;
static int crypto_loaded, crypto_tried;
/* Not pthread_once, which is GLIBC_2.34 (include/glibc_baseline.h). */
static pthread_mutex_t crypto_lock = PTHREAD_MUTEX_INITIALIZER;

struct cfs_digest {
    void *ctx; /* EVP_MD_CTX */
    int length;
};

/* Every symbol, or none: a libcrypto missing one is not used. */
static int
find_symbols(void *handle, struct libcrypto *out)
{
    *(void **)&out->ctx_new = dlsym(handle, "EVP_MD_CTX_new");
    *(void **)&out->ctx_free = dlsym(handle, "EVP_MD_CTX_free");
    *(void **)&out->sha256 = dlsym(handle, "EVP_sha256");
    *(void **)&out->sha512 = dlsym(handle, "EVP_sha512");
    *(void **)&out->init = dlsym(handle, "EVP_DigestInit_ex");
    *(void **)&out->update = dlsym(handle, "EVP_DigestUpdate");
    *(void **)&out->final = dlsym(handle, "EVP_DigestFinal_ex");
    return out->ctx_new != NULL && out->ctx_free != NULL && out->sha256 != NULL
           && out->sha512 != NULL && out->init != NULL && out->update != NULL && out->final != NULL;
}

/* RTLD_LOCAL: its symbols stay out of the process's namespace.  Once opened
 * it stays: its functions are called until the process ends. */
static void
open_libcrypto(void)
{
    for (size_t i = 0; i < sizeof SONAMES / sizeof SONAMES[0]; i++) {
        void *handle = dlopen(SONAMES[i], RTLD_NOW | RTLD_LOCAL);
        struct libcrypto found;

        if (handle == NULL)
            continue;
        if (find_symbols(handle, &found)) {
            crypto = found;
            crypto_loaded = 1;
            return;
        }
        dlclose(handle);
    }
}

struct cfs_digest *
cfs_digest_new(int bits)
{
    struct cfs_digest *digest;

    if (bits != 256 && bits != 512) {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&crypto_lock);
    if (!crypto_tried) {
        open_libcrypto();
        crypto_tried = 1;
    }
    pthread_mutex_unlock(&crypto_lock);
    if (!crypto_loaded) {
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
