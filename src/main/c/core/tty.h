/* -t: a pseudo-terminal of the container's own, relayed to the user's. */
#ifndef CFS_TTY_H
#define CFS_TTY_H

#include <sys/ioctl.h>

#include "cfs.h"

struct cfs_tty {
    int master; /* the parent's, once received: what the container writes, what the user types */
    int slave;  /* the child's: its descriptors 0-2 */
    int parent_end; /* the socket the master comes over */
    int child_end;
    struct winsize size; /* the user's terminal's, read before clone */
    int has_size;
};

/* Parent, before clone: the socket and the user's window size.  Returns 0,
 * or -1 with *err filled. */
int cfs_tty_open(struct cfs_tty *tty, cfs_error_t *err);
/* The child's steps with -t (without it they do nothing).  System calls
 * only; 0, or -1 with *err filled.
 * Once the container's /dev/pts is mounted: a pty of the container's own
 * devpts, its master sent to the parent (which relays it to the user's
 * terminal).  The slave is kept in *tty, the child's own copy of it. */
int cfs_tty_create(const args_t *args, struct cfs_tty *tty, cfs_error_t *err);
/* After the descriptors are set: the command's descriptors 0-2 become that
 * terminal, in a session of its own. */
int cfs_tty_attach(const args_t *args, const struct cfs_tty *tty, cfs_error_t *err);
/* Parent, after clone: the master, or -1 when the child ended first. */
int cfs_tty_receive(struct cfs_tty *tty);
/* Parent: relay until the container has closed its terminal. */
void cfs_tty_relay(struct cfs_tty *tty);
void cfs_tty_close(struct cfs_tty *tty);

#endif
