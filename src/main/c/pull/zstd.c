/* zstd decoding through the system's libzstd (pull/zstd.h).  Only zstd.h's
 * stable API, as libzstd 1.4.0 and later export it: Ubuntu 20.04 has 1.4.4,
 * Debian 11 1.4.8, Debian 12 1.5.4.  No zstd.h is needed to build: the few
 * types and the one parameter number are copied below from its stable part. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "library.h"
#include "zstd.h"

/* ZSTD_DCtx_setParameter and ZSTD_d_windowLogMax became stable in 1.4.0. */
#define OLDEST_VERSION 10400
/* zstd.h: ZSTD_d_windowLogMax, a number of the stable ZSTD_dParameter. */
#define ZSTD_D_WINDOWLOGMAX 100
/* The largest window a frame may ask for, as a power of 2: 2^27 = 128 MiB,
 * which is also libzstd's default and the most the zstd tool decodes without
 * --memory.  zstd:chunked (containers/storage) asks for 32 MiB (2^25) in every
 * frame, `zstd --long` for 128 MiB, levels up to 19 for at most 8 MiB; a frame
 * asking for more is refused before libzstd allocates its window, so a frame
 * header cannot make pull take more than this (plus one 128 KiB block) per
 * layer decoded. */
#define WINDOW_LOG_MAX 27

/* zstd.h's ZSTD_inBuffer and ZSTD_outBuffer. */
struct zstd_in {
    const void *src;
    size_t size;
    size_t pos;
};
struct zstd_out {
    void *dst;
    size_t size;
    size_t pos;
};

static struct libzstd {
    unsigned (*version_number)(void);
    void *(*create_dctx)(void);
    size_t (*free_dctx)(void *dctx);
    size_t (*set_parameter)(void *dctx, int param, int value);
    size_t (*decompress_stream)(void *dctx, struct zstd_out *out, struct zstd_in *in);
    unsigned (*is_error)(size_t code);
    const char *(*error_name)(size_t code);
} lib;

struct cfs_zstd {
    void *dctx; /* ZSTD_DCtx */
    int inside_frame;
    const char *error;
};

/* The runtime package's soname (libzstd1). */
static const char *const SONAMES[] = { "libzstd.so.1", NULL };

static int
bind_libzstd(void *handle)
{
    *(void **)&lib.version_number = dlsym(handle, "ZSTD_versionNumber");
    *(void **)&lib.create_dctx = dlsym(handle, "ZSTD_createDCtx");
    *(void **)&lib.free_dctx = dlsym(handle, "ZSTD_freeDCtx");
    *(void **)&lib.set_parameter = dlsym(handle, "ZSTD_DCtx_setParameter");
    *(void **)&lib.decompress_stream = dlsym(handle, "ZSTD_decompressStream");
    *(void **)&lib.is_error = dlsym(handle, "ZSTD_isError");
    *(void **)&lib.error_name = dlsym(handle, "ZSTD_getErrorName");
    return lib.version_number != NULL && lib.create_dctx != NULL && lib.free_dctx != NULL
           && lib.set_parameter != NULL && lib.decompress_stream != NULL && lib.is_error != NULL
           && lib.error_name != NULL && lib.version_number() >= OLDEST_VERSION;
}

static struct cfs_library libzstd = CFS_LIBRARY(SONAMES, bind_libzstd);

struct cfs_zstd *
cfs_zstd_new(void)
{
    struct cfs_zstd *zstd;

    if (!cfs_library_load(&libzstd)) {
        errno = ENOENT;
        return NULL;
    }
    zstd = calloc(1, sizeof *zstd);
    if (zstd == NULL)
        return NULL;
    zstd->dctx = lib.create_dctx();
    if (zstd->dctx == NULL
        || lib.is_error(lib.set_parameter(zstd->dctx, ZSTD_D_WINDOWLOGMAX, WINDOW_LOG_MAX))) {
        cfs_zstd_free(zstd);
        errno = ENOMEM;
        return NULL;
    }
    return zstd;
}

int
cfs_zstd_decode(struct cfs_zstd *zstd, const void *in, size_t in_len, size_t *in_used, void *out,
                size_t out_len, size_t *out_made)
{
    struct zstd_in input = { in, in_len, 0 };
    struct zstd_out output = { out, out_len, 0 };
    size_t result;

    *in_used = 0;
    *out_made = 0;
    /* Between frames libzstd holds nothing back (it returned 0 only once all
     * was given out), and with no input it would answer how much of the next
     * frame's header it wants, as if one had begun. */
    if (!zstd->inside_frame && in_len == 0)
        return 0;
    result = lib.decompress_stream(zstd->dctx, &output, &input);
    *in_used = input.pos;
    *out_made = output.pos;
    if (lib.is_error(result)) {
        zstd->error = lib.error_name(result);
        return -1;
    }
    /* 0: a frame (or skippable frame) is done and all of it given out. */
    zstd->inside_frame = result != 0;
    return zstd->inside_frame;
}

const char *
cfs_zstd_error(const struct cfs_zstd *zstd)
{
    return zstd->error;
}

void
cfs_zstd_free(struct cfs_zstd *zstd)
{
    if (zstd == NULL)
        return;
    if (zstd->dctx != NULL)
        lib.free_dctx(zstd->dctx);
    free(zstd);
}
