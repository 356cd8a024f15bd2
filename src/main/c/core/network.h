/* The container's network (network.c): with the default --network private,
 * a network namespace of its own whose tap0 slirp4netns, a user-mode
 * network stack, connects to the host's network from outside; with
 * --network none only lo; with --network host the host's own. */
#ifndef CFS_NETWORK_H
#define CFS_NETWORK_H

#include <limits.h>
#include <sys/types.h>
#include <sys/un.h>

#include "cfs.h"

struct cfs_network_stack {
    char program[PATH_MAX]; /* slirp4netns, found in PATH before clone */
    int go[2];              /* parent -> child: one byte once the network is up; or -1 */
    int exit_fd;            /* our end of slirp4netns's --exit-fd pipe: its life; or -1 */
    pid_t stack;            /* slirp4netns, or 0 */
    char api_socket[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* with -p, while in use */
    int writedir;      /* WRITEDIR, open, when it had no etc/resolv.conf before the run; or -1 */
    int etc_was_there; /* and whether it had etc/ */
};

/* PATH's first executable NAME into path, in absolute directories only
 * (newuidmap, slirp4netns).  0, or -1 with errno ENOENT. */
int cfs_find_in_path(const char *name, char *path, size_t size);

/* The parent, before clone: find slirp4netns (ENOENT: not installed), make
 * the pipe the child waits on, and note whether WRITEDIR (upper, a real
 * path; NULL with --read-only) has etc/resolv.conf.  0, or -1 with *err
 * filled; call cfs_network_stop either way. */
int cfs_network_prepare(const args_t *args, const char *upper, struct cfs_network_stack *net,
                        cfs_error_t *err);
/* The parent, after clone: start slirp4netns on the child's network
 * namespace, publish -p's ports, then let the child go on.  0, or -1 with
 * *err filled. */
int cfs_network_start(const args_t *args, struct cfs_network_stack *net, pid_t child,
                      cfs_error_t *err);
/* The parent, once the container is gone: slirp4netns killed and reaped,
 * every descriptor and the API socket gone, and the empty etc/resolv.conf
 * that use_stack_dns made as its mount point removed from WRITEDIR (with
 * the etc/ that making it copied up), so that a run leaves in WRITEDIR only
 * what the container wrote. */
void cfs_network_stop(struct cfs_network_stack *net);

/* The child's steps, system calls only; 0, or -1 with *err filled.
 * Before the mounts: bring up lo, in a namespace of our own. */
int cfs_join_network(const args_t *args, struct cfs_network_stack *net, cfs_error_t *err);
/* Before the command: wait until the parent says the network is up. */
int cfs_wait_for_network(const args_t *args, const struct cfs_network_stack *net, cfs_error_t *err);
/* Then, in the new root: /etc/resolv.conf names slirp4netns's DNS forwarder. */
int cfs_use_stack_dns(const args_t *args, cfs_error_t *err);

#endif
