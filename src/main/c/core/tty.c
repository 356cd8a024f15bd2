/* A terminal for the container's process: a pseudo-terminal of its own, in a
 * session of its own (pty(7), credentials(7) "Sessions").  The pty comes
 * from the container's own devpts instance, so inside it is /dev/pts/0 and
 * ttyname(3) finds it, and the host's ptys are not there to be seen.  The
 * child sends the master end over a socket (unix(7), SCM_RIGHTS), either
 *
 *  - back to us (-t, and OCI run without a console socket): container-fs
 *    relays between it and the user's terminal, as docker run -t does.  The
 *    user's terminal is put in raw mode, so every key (Ctrl-C included)
 *    reaches the container's terminal, whose line discipline turns it into a
 *    signal there; its modes are restored whatever way the container ends;
 *  - or to the engine (OCI create --console-socket, as runc does): the
 *    socket is connected before clone, the child sends the master straight
 *    to it, and the engine (conmon, the containerd shim) does the relaying.
 *    We keep no copy of the master.
 *
 * The same steps serve a process that joins a running container (exec
 * --tty): cfs_tty_open before the fork, cfs_tty_create once in the
 * container's mount namespace at its root, cfs_tty_attach before exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"
#include "write_all.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41) /* Linux 4.13 */
#endif

/* The engine's console socket (runc's --console-socket), connected. */
static int
connect_console_socket(const char *path, cfs_error_t *err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return cfs_fail(err, CFS_STEP_TTY, path);
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return cfs_fail(err, CFS_STEP_TTY, path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        cfs_fail(err, CFS_STEP_TTY, path);
        close(fd);
        return -1;
    }
    return fd;
}

int
cfs_tty_open(struct cfs_tty *tty, const char *console_socket, const struct winsize *size,
             cfs_error_t *err)
{
    int pair[2];

    tty->master = tty->slave = tty->parent_end = tty->child_end = -1;
    tty->console_socket = console_socket;
    tty->has_size = tty->size_given = size != NULL;
    if (size != NULL)
        tty->size = *size;
    if (console_socket != NULL) {
        tty->child_end = connect_console_socket(console_socket, err);
        return tty->child_end < 0 ? -1 : 0;
    }
    if (!isatty(STDIN_FILENO)) {
        errno = ENOTTY;
        return cfs_fail(err, CFS_STEP_TTY, "standard input");
    }
    if (size == NULL)
        tty->has_size = ioctl(STDIN_FILENO, TIOCGWINSZ, &tty->size) == 0;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
        return cfs_fail(err, CFS_STEP_TTY, "");
    tty->parent_end = pair[0];
    tty->child_end = pair[1];
    return 0;
}

/* Child, once its /dev/pts is mounted (the current directory is the new
 * root): a pty of the container's devpts, of the window size asked for,
 * its master sent over the socket cfs_tty_open made, its slave kept for
 * cfs_tty_attach.  The size is set here, not by the parent: the parent may
 * not run again before the command does (CLONE_VFORK), and `stty size`
 * would read 0 0.  Our end of the socket is closed once the master is
 * sent: an engine may wait for that end of file.  System calls only. */
int
cfs_tty_create(struct cfs_tty *tty, cfs_error_t *err)
{
    char control[CMSG_SPACE(sizeof(int))];
    char byte = 't';
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *cmsg;
    int unlock = 0, master;

    if (tty->child_end < 0)
        return 0; /* no terminal asked for */
    memset(control, 0, sizeof control);
    master = open("dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0
        || (tty->has_size && ioctl(master, TIOCSWINSZ, &tty->size) < 0))
        return cfs_fail(err, CFS_STEP_TTY, "dev/pts/ptmx");
    tty->slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty->slave < 0)
        return cfs_fail(err, CFS_STEP_TTY, "dev/pts/ptmx");
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &master, sizeof master);
    if (sendmsg(tty->child_end, &msg, MSG_NOSIGNAL) < 0)
        return cfs_fail(err, CFS_STEP_TTY, tty->console_socket != NULL ? tty->console_socket : "");
    close(master);
    close(tty->child_end);
    tty->child_end = -1;
    return 0;
}

/* Child: a new session on the slave, which becomes the command's
 * descriptors 0, 1 and 2, and its controlling terminal.  The slave is
 * owned by whoever opened it (root, here): owner, when not -1, is the uid
 * the command will run as, which gets it, as login(1) and runc give a
 * user its terminal; its group stays devpts' tty group.  System calls
 * only. */
int
cfs_tty_attach(const struct cfs_tty *tty, long owner, cfs_error_t *err)
{
    if (tty->slave < 0)
        return 0; /* no terminal asked for */
    if (cfs_tty_give(tty, owner, err) < 0 || cfs_tty_control(err) < 0)
        return -1;
    return 0;
}

int
cfs_tty_give(const struct cfs_tty *tty, long owner, cfs_error_t *err)
{
    if (tty->slave < 0)
        return 0;
    if (owner >= 0 && fchown(tty->slave, (uid_t)owner, (gid_t)-1) < 0)
        return cfs_fail(err, CFS_STEP_TTY, "dev/pts");
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(tty->slave, fd) < 0)
            return cfs_fail(err, CFS_STEP_TTY, "");
    return 0;
}

int
cfs_tty_control(cfs_error_t *err)
{
    if (setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
        return cfs_fail(err, CFS_STEP_TTY, "");
    return 0;
}

/* Parent, after clone, when the master comes back to us: the master from
 * the child, sized as the user's terminal unless a size was asked for.
 * Returns -1 when the child ended before it sent one (its report says
 * why). */
int
cfs_tty_receive(struct cfs_tty *tty)
{
    char control[CMSG_SPACE(sizeof(int))];
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *cmsg;
    struct winsize size;
    ssize_t n;

    close(tty->child_end); /* so that the child's end closing is an end of file */
    tty->child_end = -1;
    do
        n = recvmsg(tty->parent_end, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&tty->master, CMSG_DATA(cmsg), sizeof tty->master);
    /* A resize during the set-up, before the relay watches for SIGWINCH. */
    if (!tty->size_given && ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
        ioctl(tty->master, TIOCSWINSZ, &size);
    return 0;
}

static volatile sig_atomic_t window_changed;

static void
note_window_change(int sig)
{
    (void)sig;
    window_changed = 1;
}

/* Copies one read from `from` to `to`; 0 at end of file or on an error. */
static int
copy(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof buf);

    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0)
        return 0;
    return cfs_write_all(to, buf, (size_t)n) == 0; /* else the other side is gone */
}

void
cfs_tty_relay(struct cfs_tty *tty)
{
    struct sigaction winch = { .sa_handler = note_window_change }, saved_winch;
    struct termios saved, raw;
    struct pollfd fds[2]
        = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = tty->master, .events = POLLIN } };
    int raw_mode = tcgetattr(STDIN_FILENO, &saved) == 0;

    if (tty->master < 0)
        return;
    if (raw_mode) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    window_changed = 0;
    sigemptyset(&winch.sa_mask);
    sigaction(SIGWINCH, &winch, &saved_winch);
    for (;;) {
        if (window_changed) {
            struct winsize size;
            window_changed = 0;
            if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
                ioctl(tty->master, TIOCSWINSZ, &size);
        }
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        /* The container's output first: when it has ended, the master
         * says POLLHUP and reading it gives EIO. */
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy(tty->master, STDOUT_FILENO))
            break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!copy(STDIN_FILENO, tty->master))
                fds[0].fd = -1; /* end of our input: poll it no more */
        }
    }
    sigaction(SIGWINCH, &saved_winch, NULL);
    if (raw_mode)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

void
cfs_tty_close(struct cfs_tty *tty)
{
    int *fds[] = { &tty->master, &tty->slave, &tty->parent_end, &tty->child_end };

    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

/* The terminal args asks for (-t, OCI process.terminal): its master to
 * the console socket when there is one, else back to us; of
 * process.consoleSize when given.  For a container's process and for one
 * exec'd into it (enter.c). */
int
cfs_tty_open_for(const args_t *args, struct cfs_tty *tty, cfs_error_t *err)
{
    struct winsize size = { .ws_row = (unsigned short)args->console_rows,
                            .ws_col = (unsigned short)args->console_cols };
    const int sized = args->console_rows > 0 || args->console_cols > 0;

    return cfs_tty_open(tty, args->console_socket, sized ? &size : NULL, err);
}
