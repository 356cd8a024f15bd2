/* The seccomp filter: a profile (cfs.h, struct cfs_seccomp_profile) compiled
 * into a classic BPF program for this architecture, decided by the parent
 * before clone() and installed by the child (security.c). */
#ifndef CFS_SECCOMP_H
#define CFS_SECCOMP_H

#include <linux/filter.h>

#include "cfs.h"

/* The most instructions the kernel takes in one filter (BPF_MAXINSNS). */
#define CFS_FILTER_MAX 4096

/* container-fs's default profile: Docker's allowlist (seccomp_default.c). */
extern const struct cfs_seccomp_profile cfs_default_seccomp_profile;

/* Compiles profile for a container that keeps the capabilities caps into
 * code (room for CFS_FILTER_MAX instructions); *length is how many it
 * used.  Returns 0, or -1 with *err filled (E2BIG: the filter is too long). */
int cfs_compile_seccomp(const struct cfs_seccomp_profile *profile, unsigned long long caps,
                        struct sock_filter *code, unsigned short *length, cfs_error_t *err);

/* The number of a system call of this architecture, or -1 when it has none
 * of that name. */
int cfs_syscall_number(const char *name);

#endif
