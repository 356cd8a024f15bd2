/* glibc 2.31 as the oldest C library the native code needs, whichever glibc
 * builds it: the course's Ubuntu 20.04 and Debian 11 have 2.31.
 *
 * The compiler reads this header before every C file of the JNI library and
 * of src/main/c/Makefile's programs (gcc -include: the Makefile's CPPFLAGS),
 * so it must stand alone.  A call links to the newest version of its symbol
 * in the glibc that builds it; three kinds got versions newer than 2.31:
 *   - stat, fstat, lstat, fstatat, mknod, mknodat: glibc 2.33 exports them
 *     (GLIBC_2.33); its headers before inlined them as calls of __xstat and
 *     kin.  Here they are the system calls themselves (syscall(2)), as glibc
 *     does them on 64-bit Linux, where struct stat is the kernel's.
 *   - dlopen, dlsym, dlclose: in libdl.so.2 before 2.34, in libc.so.6 since
 *     (GLIBC_2.34), which keeps the old version too.  .symver names the old
 *     one, and the library links libdl.so.2 (the Makefile), where 2.31 has it.
 *   - strtol and scanf: glibc 2.38 renames them __isoc23_* (which read "0b"
 *     numbers) under _GNU_SOURCE.  The renaming is switched off below, after
 *     <features.h> has set it and before any other header reads it.
 * pthread_once moved into libc in 2.34 as well: pull's digest.c takes a
 * mutex instead, which libc has had all along.  The programs (the C front
 * end, the launcher) are linked static, which leaves them no symbol
 * versions at all: their start files call __libc_start_main@GLIBC_2.34.
 * GlibcBaselineTest reads what the build made (objdump -T) and fails on a
 * symbol newer than 2.31; BullseyeBuildIT builds and runs it all on 2.31. */
#ifndef CFS_GLIBC_BASELINE_H
#define CFS_GLIBC_BASELINE_H

#include <features.h>

#ifdef __GLIBC__

/* glibc 2.38 and 2.39 call the switch C2X, later ones C23. */
#undef __GLIBC_USE_C2X_STRTOL
#define __GLIBC_USE_C2X_STRTOL 0
#undef __GLIBC_USE_C23_STRTOL
#define __GLIBC_USE_C23_STRTOL 0

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* newfstatat(2) and fstat(2) fill a struct stat as glibc defines it on
 * x86-64 and aarch64; mknodat(2) takes the device as 32 bits, glibc's dev_t
 * has 64, and glibc refuses one that does not fit, so do we. */
static inline int
cfs_fstatat(int dirfd, const char *path, struct stat *buf, int flags)
{
    return (int)syscall(SYS_newfstatat, dirfd, path, buf, flags);
}

static inline int
cfs_fstat(int fd, struct stat *buf)
{
    return (int)syscall(SYS_fstat, fd, buf);
}

static inline int
cfs_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
    if ((unsigned int)dev != dev) {
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_mknodat, dirfd, path, mode, (unsigned int)dev);
}

/* Function-like macros: `struct stat` is left alone. */
#define stat(path, buf) cfs_fstatat(AT_FDCWD, path, buf, 0)
#define lstat(path, buf) cfs_fstatat(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW)
#define fstatat(dirfd, path, buf, flags) cfs_fstatat(dirfd, path, buf, flags)
#define fstat(fd, buf) cfs_fstat(fd, buf)
#define mknod(path, mode, dev) cfs_mknodat(AT_FDCWD, path, mode, dev)
#define mknodat(dirfd, path, mode, dev) cfs_mknodat(dirfd, path, mode, dev)

/* The first version each architecture's glibc had, which dlopen and kin
 * keep.  GAS emits nothing for a .symver of a name the file does not use. */
#if defined(__x86_64__)
#define CFS_GLIBC_FIRST "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define CFS_GLIBC_FIRST "GLIBC_2.17"
#endif
#ifdef CFS_GLIBC_FIRST
__asm__(".symver dlopen, dlopen@" CFS_GLIBC_FIRST);
__asm__(".symver dlsym, dlsym@" CFS_GLIBC_FIRST);
__asm__(".symver dlclose, dlclose@" CFS_GLIBC_FIRST);
#endif

#endif /* __GLIBC__ */

#endif
