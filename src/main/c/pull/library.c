/* pull's dlopen'd system libraries (library.h). */
#include <dlfcn.h>
#include <stddef.h>

#include "library.h"

static void
open_first(struct cfs_library *library)
{
    for (size_t i = 0; library->sonames[i] != NULL; i++) {
        void *handle = dlopen(library->sonames[i], RTLD_NOW | RTLD_LOCAL);

        if (handle == NULL)
            continue;
        if (library->bind(handle)) {
            library->loaded = 1;
            return;
        }
        dlclose(handle);
    }
}

int
cfs_library_load(struct cfs_library *library)
{
    int loaded;

    pthread_mutex_lock(&library->lock);
    if (!library->tried) {
        open_first(library);
        library->tried = 1;
    }
    loaded = library->loaded;
    pthread_mutex_unlock(&library->lock);
    return loaded;
}
