/* What the container's process may do, decided by the parent before clone():
 * the capabilities it keeps, its seccomp filter and its hostname.  The child
 * only applies them, with the steps below. */
#ifndef CFS_SECURITY_H
#define CFS_SECURITY_H

#include <linux/filter.h>

#include "cfs.h"
#include "seccomp.h"

struct cfs_security {
    struct cfs_capabilities caps; /* the five sets the process gets */
    int last_capability;          /* /proc/sys/kernel/cap_last_cap */
    struct sock_filter filter[CFS_FILTER_MAX];
    unsigned short filter_length; /* 0: no filter */
    char hostname[65];            /* HOST_NAME_MAX + 1 */
};

/* Returns 0, or -1 with *err filled. */
int cfs_prepare_security(const args_t *args, struct cfs_security *security, cfs_error_t *err);

/* The child's steps, in the order container.c calls them: the hostname
 * after pivot_root, the rest last before the exec.  System calls only; 0,
 * or -1 with *err filled. */
int cfs_set_hostname(const args_t *args, const struct cfs_security *security, cfs_error_t *err);
int cfs_set_no_new_privileges(const args_t *args, cfs_error_t *err);
int cfs_install_seccomp(const args_t *args, const struct cfs_security *security, cfs_error_t *err);
int cfs_drop_bounding_set(const args_t *args, const struct cfs_security *security,
                          cfs_error_t *err);
int cfs_switch_user(const args_t *args, cfs_error_t *err);
int cfs_set_capabilities(const args_t *args, const struct cfs_security *security, cfs_error_t *err);

#endif
