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
/* Child, with the container's /dev/pts mounted: make the pty, send the
 * master.  System calls only; -1 with errno. */
int cfs_tty_create(struct cfs_tty *tty);
/* Child: a new session on the slave.  System calls only; -1 with errno. */
int cfs_tty_attach(const struct cfs_tty *tty);
/* Parent, after clone: the master, or -1 when the child ended first. */
int cfs_tty_receive(struct cfs_tty *tty);
/* Parent: relay until the container has closed its terminal. */
void cfs_tty_relay(struct cfs_tty *tty);
void cfs_tty_close(struct cfs_tty *tty);

#endif
