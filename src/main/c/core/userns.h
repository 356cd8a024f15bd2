/* Rootless: a container run by an ordinary user gets a user namespace of
 * its own, in which the user is root (userns.c). */
#ifndef CFS_USERNS_H
#define CFS_USERNS_H

#include <sys/types.h>

#include "cfs.h"

struct cfs_userns {
    int active;             /* not root: the child is cloned into a new user namespace */
    int joined;             /* root of a user namespace an engine made (rootless podman) */
    const char *uid_map;    /* an OCI bundle's own user namespace: its maps, written by us */
    const char *gid_map;    /* (root of ours, real or an engine's); NULL: none */
    unsigned int uid, gid;  /* the user's, outside */
    unsigned long uid_base; /* /etc/subuid's range for the user: inside ids 1..uid_count */
    unsigned long uid_count;
    unsigned long gid_base; /* /etc/subgid's */
    unsigned long gid_count;
    int ranges;                /* both ranges and both helpers found: newuidmap/newgidmap */
    char uid_helper[PATH_MAX]; /* newuidmap, found in PATH */
    char gid_helper[PATH_MAX]; /* newgidmap */
    int mapped[2];             /* parent -> child: one byte once the ids are mapped; or -1 */
};

/* The parent, before clone: whether we are root; if not, the user's
 * subordinate ranges and the helpers that map them (else a single-id map,
 * said in one line on stderr), the refusal of what needs real root, and the
 * pipe the child waits on.  0, or -1 with *err filled; call
 * cfs_userns_close either way. */
int cfs_userns_prepare(const args_t *args, struct cfs_userns *ns, cfs_error_t *err);
/* The parent, once the layers are resolved: refuses a file of a layer
 * (WRITEDIR included) whose owner the map does not hold, naming it, rather
 * than let copy-up fail later with EOVERFLOW.  0, or -1 with *err filled. */
int cfs_userns_check_layers(const struct cfs_userns *ns, char *const *lowers, int nlowers,
                            const char *upper, cfs_error_t *err);
/* The clone flag the child needs: CLONE_NEWUSER (not root, or a bundle's
 * maps), or 0. */
int cfs_userns_clone_flag(const struct cfs_userns *ns);
/* The parent, after clone: write the child's uid and gid maps, then let it
 * go on.  0, or -1 with *err filled (the child then reads end of file). */
int cfs_userns_map(struct cfs_userns *ns, pid_t child, cfs_error_t *err);
void cfs_userns_close(struct cfs_userns *ns);

/* Whether we are root of a user namespace someone else made, not of the
 * initial one: rootless podman runs its OCI runtime so.  Its uid_map is then
 * not the identity of all 2^32 ids; "root" owns no cgroup and no device of
 * the host, and no new user namespace is needed. */
int cfs_userns_is_joined(void);

/* Whether this user, not root, has both ranges and both helpers. */
int cfs_userns_has_ranges(void);

/* pull, run by an ordinary user: the files of a tree just extracted, as
 * paths relative to root, and the owners and modes the archive gives them
 * (ids as inside a container: 0 the user, n the range's n-th; mode -1 for a
 * symlink, whose mode is not set). */
struct cfs_own_tree {
    const char *root;
    const char *const *paths;
    const int *uids;
    const int *gids;
    const int *modes;
    int n;
};
/* Gives each file its owner from a process in a user namespace of its own,
 * mapped as a container's is (so that inside a container the owners are
 * the archive's), then its mode again (chown(2) clears setuid bits).  On a
 * failure that process removes the whole tree, which the user alone could
 * not once some of it is the range's.  1 when the user has no range
 * (nothing done), 0 when done, -1 with *err filled. */
int cfs_userns_own_tree(const struct cfs_own_tree *tree, cfs_error_t *err);

/* The child's first step: wait until its ids are mapped.  System calls only. */
int cfs_userns_wait(struct cfs_userns *ns, cfs_error_t *err);

#endif
