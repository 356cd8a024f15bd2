/* -t: the container gets a pseudo-terminal of its own, in a session of its
 * own, and container-fs relays between it and the user's terminal, as
 * docker run -t does (pty(7), credentials(7) "Sessions").  The user's
 * terminal is put in raw mode, so every key (Ctrl-C included) reaches the
 * container's terminal, whose line discipline turns it into a signal there;
 * its modes are restored whatever way the container ends. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"

static int
fail(cfs_error_t *err, const char *path)
{
    cfs_set_error(err, CFS_STEP_TTY, path, errno);
    return -1;
}

int
cfs_tty_open(struct cfs_tty *tty, cfs_error_t *err)
{
    char name[64];
    struct winsize size;

    tty->master = tty->slave = -1;
    if (!isatty(STDIN_FILENO)) {
        errno = ENOTTY;
        return fail(err, "standard input");
    }
    tty->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty->master < 0)
        return fail(err, "/dev/ptmx");
    if (grantpt(tty->master) < 0 || unlockpt(tty->master) < 0
        || ptsname_r(tty->master, name, sizeof name) != 0)
        return fail(err, "/dev/ptmx");
    tty->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tty->slave < 0)
        return fail(err, name);
    /* The user's window size from the start, so the first prompt fits. */
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0)
        ioctl(tty->master, TIOCSWINSZ, &size);
    return 0;
}

/* Child: a new session whose controlling terminal is the slave, which
 * becomes the command's descriptors 0, 1 and 2.  System calls only. */
int
cfs_tty_attach(const struct cfs_tty *tty)
{
    if (setsid() < 0 || ioctl(tty->slave, TIOCSCTTY, 0) < 0)
        return -1;
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(tty->slave, fd) < 0)
            return -1;
    return 0;
}

/* Parent, after clone: only the container may hold the slave, so that
 * reading the master ends (EIO) when the container's last process does. */
void
cfs_tty_release_slave(struct cfs_tty *tty)
{
    if (tty->slave >= 0)
        close(tty->slave);
    tty->slave = -1;
}

static volatile sig_atomic_t window_changed;

static void
note_window_change(int sig)
{
    (void)sig;
    window_changed = 1;
}

/* Write all of buf, or give up on an error (the other side is gone). */
static int
write_all(int fd, const char *buf, ssize_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, (size_t)n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= w;
    }
    return 0;
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
    return write_all(to, buf, n) == 0;
}

void
cfs_tty_relay(struct cfs_tty *tty)
{
    struct sigaction winch = { .sa_handler = note_window_change }, saved_winch;
    struct termios saved, raw;
    struct pollfd fds[2]
        = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = tty->master, .events = POLLIN } };
    int raw_mode = tcgetattr(STDIN_FILENO, &saved) == 0;

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
    cfs_tty_release_slave(tty);
    if (tty->master >= 0)
        close(tty->master);
    tty->master = -1;
}
