/* One write loop for every file of the core, pull's extraction and the
 * terminal relay: write(2) may write less than asked, and a signal may
 * interrupt it before it writes anything. */
#include <errno.h>
#include <unistd.h>

#include "write_all.h"

int
cfs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}
