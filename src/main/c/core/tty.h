/* A pseudo-terminal of the container's own (-t, OCI process.terminal),
 * relayed to the user's or sent to an engine's console socket (tty.c). */
#ifndef CFS_TTY_H
#define CFS_TTY_H

#include <sys/ioctl.h>

#include "cfs.h"

struct cfs_tty {
    int master; /* the parent's, once received: what the container writes, what the user types */
    int slave;  /* the child's: its descriptors 0-2 */
    int parent_end; /* the socket the master comes back over, or -1 (a console socket) */
    int child_end;  /* the socket the child sends the master over: to us, or the engine's */
    const char *console_socket; /* the engine's socket's path, for messages; NULL: ours */
    struct winsize size;        /* asked for (OCI process.consoleSize), or the user's terminal's */
    int has_size;
    int size_given; /* size was asked for: the user's terminal's does not replace it */
};

/* Parent, before clone or fork, for a process that gets a terminal (a
 * container's, or one exec'd into it): where its master will go, and its
 * window size.  console_socket: the engine's unix socket (OCI
 * --console-socket), connected now, so that a wrong path fails before
 * anything is made; NULL: back to us, for cfs_tty_relay, which needs our
 * standard input to be a terminal.  size: the rows and columns asked for
 * (OCI process.consoleSize), or NULL for our terminal's (none with a
 * console socket).  Returns 0, or -1 with *err filled. */
int cfs_tty_open(struct cfs_tty *tty, const char *console_socket, const struct winsize *size,
                 cfs_error_t *err);
/* cfs_tty_open with what args asks for: its console socket and size. */
int cfs_tty_open_for(const args_t *args, struct cfs_tty *tty, cfs_error_t *err);
/* The child's steps (without cfs_tty_open they do nothing).  System calls
 * only; 0, or -1 with *err filled.
 * Once the container's /dev/pts is mounted, with the current directory the
 * container's root (before pivot_root, or after setns into its mount
 * namespace): a pty of the container's own devpts, its master sent over
 * the socket.  The slave is kept in *tty, the child's own copy of it. */
int cfs_tty_create(struct cfs_tty *tty, cfs_error_t *err);
/* After the descriptors are set: the command's descriptors 0-2 become that
 * terminal, its controlling terminal, in a session of its own; owned by
 * owner, the uid the command will run as (-1: root's). */
int cfs_tty_attach(const struct cfs_tty *tty, long owner, cfs_error_t *err);
/* The two halves of cfs_tty_attach, for exec (enter.c), whose helper sets
 * the descriptors and whose child, after it, takes the session: the
 * helper ends first, and a session leader's end hangs up its terminal. */
int cfs_tty_give(const struct cfs_tty *tty, long owner, cfs_error_t *err);
/* A session of our own, with descriptor 0, the slave, as its terminal. */
int cfs_tty_control(cfs_error_t *err);
/* Parent, after clone, without a console socket: the master, or -1 when
 * the child ended first. */
int cfs_tty_receive(struct cfs_tty *tty);
/* Parent: relay until the container has closed its terminal. */
void cfs_tty_relay(struct cfs_tty *tty);
void cfs_tty_close(struct cfs_tty *tty);

#endif
