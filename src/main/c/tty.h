/* -t: a pseudo-terminal for the container, relayed to the user's. */
#ifndef CFS_TTY_H
#define CFS_TTY_H

#include "container.h"

struct cfs_tty {
    int master; /* ours: what the container writes, what the user types */
    int slave;  /* the container's descriptors 0-2; ours until clone */
};

/* Parent, before clone.  Returns 0, or -1 with *err filled. */
int cfs_tty_open(struct cfs_tty *tty, cfs_error_t *err);
/* Child: a new session on the slave.  System calls only; -1 with errno. */
int cfs_tty_attach(const struct cfs_tty *tty);
/* Parent, after clone. */
void cfs_tty_release_slave(struct cfs_tty *tty);
/* Parent: relay until the container has closed its terminal. */
void cfs_tty_relay(struct cfs_tty *tty);
void cfs_tty_close(struct cfs_tty *tty);

#endif
