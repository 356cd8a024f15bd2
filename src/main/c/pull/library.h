/* A system library that pull's native helpers open with dlopen(3) on first
 * use (digest.c: libcrypto, zstd.c: libzstd), so neither the build nor a
 * container run needs it, and pull does without it.  Every function the
 * helper calls, or the library is not used; RTLD_LOCAL, so its symbols stay
 * out of the process's namespace; once opened it stays, since its functions
 * are called until the process ends. */
#ifndef CFS_LIBRARY_H
#define CFS_LIBRARY_H

#include <pthread.h>

struct cfs_library {
    /* Tried in order, up to NULL: a runtime package's sonames (no -dev
     * package's unversioned link is needed). */
    const char *const *sonames;
    /* Looks up in handle every function the helper calls (dlsym(3)) into
     * its own table; 1 when all are there and the version fits, else 0, and
     * the next soname is tried. */
    int (*bind)(void *handle);
    /* Not pthread_once, which is GLIBC_2.34 (include/glibc_baseline.h). */
    pthread_mutex_t lock;
    int tried, loaded;
};

#define CFS_LIBRARY(sonames, bind)                                                                 \
    {                                                                                              \
        (sonames), (bind), PTHREAD_MUTEX_INITIALIZER, 0, 0                                         \
    }

/* Whether the library is open and bound: the first call tries, under the
 * lock, and every later call answers the same. */
int cfs_library_load(struct cfs_library *library);

#endif
