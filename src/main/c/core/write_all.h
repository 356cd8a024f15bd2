#ifndef CFS_WRITE_ALL_H
#define CFS_WRITE_ALL_H

#include <stddef.h>

/* Writes all len bytes, retrying after a signal and after a short write.
 * Returns 0, or -1 with errno set (EIO when write(2) wrote nothing). */
int cfs_write_all(int fd, const void *data, size_t len);

#endif
