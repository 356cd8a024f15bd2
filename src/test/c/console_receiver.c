/* `console_receiver SOCKET`: the engine's end of an OCI console socket, as
 * conmon or the containerd shim holds it.  Listens on the unix socket
 * SOCKET and prints "listening" on stderr once a runtime can connect;
 * accepts one connection and receives the terminal's master over it
 * (unix(7), SCM_RIGHTS), then prints "master of pty N on device D" on
 * stderr (TIOCGPTN, and the st_dev of the devpts instance the master came
 * from); then relays: what the container writes to our stdout, our stdin
 * to the container, until the container has closed its terminal (the
 * master then reads EIO).  Built with gcc by OciTerminalIT.  Not part of
 * container-fs. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

static int
receive_fd(int conn)
{
    char name[256], control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
    };
    struct cmsghdr *cmsg;
    int fd;

    if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) <= 0)
        return -1;
    cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
        return -1;
    memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
    return fd;
}

/* One read from `from` written whole to `to`; 0 at end of file or on an error. */
static int
copy(int from, int to)
{
    char buf[4096];
    ssize_t n = read(from, buf, sizeof buf);

    if (n <= 0)
        return 0;
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(to, buf + done, (size_t)(n - done));
        if (w <= 0)
            return 0;
        done += w;
    }
    return 1;
}

int
main(int argc, char **argv)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .events = POLLIN } };
    struct stat st;
    int listener, conn, master;
    unsigned int pty;

    if (argc != 2 || strlen(argv[1]) >= sizeof addr.sun_path)
        return 2;
    strcpy(addr.sun_path, argv[1]);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0
        || listen(listener, 1) < 0) {
        perror(argv[1]);
        return 1;
    }
    fprintf(stderr, "listening\n");
    conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    master = conn < 0 ? -1 : receive_fd(conn);
    if (master < 0 || ioctl(master, TIOCGPTN, &pty) < 0 || fstat(master, &st) < 0) {
        perror("receive the master");
        return 1;
    }
    close(conn);
    close(listener);
    fprintf(stderr, "master of pty %u on device %lu\n", pty, (unsigned long)st.st_dev);
    fds[1].fd = master;
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !copy(master, STDOUT_FILENO))
            return 0; /* EIO: the container has closed its terminal */
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy(STDIN_FILENO, master))
            fds[0].fd = -1;
    }
}
