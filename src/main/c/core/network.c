/* The container's network.  --network private (the default) gives it a
 * network namespace of its own (CLONE_NEWNET, container.c) in which
 * slirp4netns(1), a user-mode TCP/IP stack run by the parent on the host's
 * side, owns a tap device: the container's packets become the stack's own
 * sockets on the host, as rootless podman does.  Nothing of the host's
 * network is in the namespace: not its interfaces, not its loopback
 * (--disable-host-loopback refuses 10.0.2.2 -> the host's 127.0.0.1), not
 * its traffic, so an AF_PACKET socket inside sees the container's packets
 * only.  --network none is the namespace with lo alone; --network host
 * shares the host's (security.c then drops CAP_NET_RAW).
 *
 * The order, on container.c's handshake: the parent finds slirp4netns and
 * makes the "go" pipe before clone; after clone it starts slirp4netns on the
 * child's pid, waits for its --ready-fd, publishes -p's ports through its
 * API socket, then writes one byte on "go"; the child meanwhile brings up
 * lo, makes its mounts, and reads "go" just before it runs the command.
 * slirp4netns ends with the container-fs process: it holds the read end of
 * a pipe (--exit-fd) whose only write end is ours, so even after our
 * kill -9 it sees end of file and exits; at the end of a run we kill it by
 * pid and reap it. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "network.h"
#include "running.h"
#include "trace.h"

#define STACK_PROGRAM "slirp4netns"
#define STACK_DNS "10.0.2.3"     /* slirp4netns's forwarder to the host's resolver */
#define STACK_GUEST "10.0.2.100" /* the address --configure gives tap0 */
#define READY_TIMEOUT_MS 10000
#define SPAWN_STACK_SIZE (64 * 1024)
#define EXIT_FD 3  /* where slirp4netns finds its --exit-fd */
#define READY_FD 4 /* and its --ready-fd */

/* ---- the parent ---- */

/* PATH's first executable NAME into path, as execvp(3) would find it, but
 * in absolute directories only: we run as root, and "." or "" in PATH would
 * run whatever slirp4netns the current directory holds. */
int
cfs_find_in_path(const char *name, char *path, size_t size)
{
    const char *dirs = getenv("PATH");

    if (dirs == NULL || dirs[0] == '\0')
        dirs = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*dirs != '\0') {
        size_t len = strcspn(dirs, ":");
        int n = snprintf(path, size, "%.*s/%s", (int)len, dirs, name);

        if (dirs[0] == '/' && n > 0 && (size_t)n < size && access(path, X_OK) == 0)
            return 0;
        dirs += len + (dirs[len] == ':');
    }
    errno = ENOENT;
    return -1;
}

/* WRITEDIR, open, when it has no etc/resolv.conf: the mount point the
 * child may make there is then ours to remove at the end. */
static void
note_writedir(const char *upper, struct cfs_network_stack *net)
{
    struct stat st;
    int dir;

    if (upper == NULL || (dir = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return;
    if (fstatat(dir, "etc/resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
        close(dir);
        return;
    }
    net->writedir = dir;
    net->etc_was_there = fstatat(dir, "etc", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int
cfs_network_prepare(const args_t *args, const char *upper, struct cfs_network_stack *net,
                    cfs_error_t *err)
{
    net->go[0] = net->go[1] = net->exit_fd = net->writedir = -1;
    net->stack = 0;
    net->api_socket[0] = '\0';
    if (args->network != CFS_NETWORK_PRIVATE) /* JOIN: the engine's, joined by namespaces.c */
        return 0;
    if (cfs_find_in_path(STACK_PROGRAM, net->program, sizeof net->program) < 0)
        return cfs_fail(err, CFS_STEP_NET_STACK, STACK_PROGRAM);
    if (pipe2(net->go, O_CLOEXEC) < 0)
        return cfs_fail(err, CFS_STEP_NET_STACK, "");
    note_writedir(upper, net);
    return 0;
}

struct spawn {
    const char *program;
    char *const *argv;
    int exit_fd;  /* the read end of the exit pipe */
    int ready_fd; /* the write end of the ready pipe */
    int slave;    /* root: in a mount namespace of its own, whose mounts are slaves of ours */
};

/* slirp4netns's child, sharing our memory until its exec (CLONE_VFORK), so
 * system calls only: a mount namespace of its own whose mounts are slaves of
 * ours (--enable-sandbox's pivot_root and unmounts, in a namespace it makes
 * from one where "/" is still shared, would otherwise reach the host: they
 * took `ip netns`' and podman's /run/netns/NAME mounts with them),
 * /dev/null as 0-2, its two pipes as 3 and 4, nothing
 * else open, default signals, a session of its own (a ^C on our terminal is
 * the container's to receive, not the stack's), then the exec.  Rootless,
 * it joins the container's user namespace, and a mount namespace made there
 * gets slaves of ours from the kernel (mount_namespaces(7), "Restrictions
 * on mount namespaces"): no namespace of our own, which we could not make. */
static int
spawn_main(void *arg)
{
    const struct spawn *s = arg;
    char *const envp[] = { NULL };
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int exit_fd = fcntl(s->exit_fd, F_DUPFD_CLOEXEC, 64);
    int ready_fd = fcntl(s->ready_fd, F_DUPFD_CLOEXEC, 64);
    cfs_error_t err;

    if ((s->slave && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) || null < 0 || exit_fd < 0
        || ready_fd < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0
        || dup2(exit_fd, EXIT_FD) < 0 || dup2(ready_fd, READY_FD) < 0
        || cfs_mark_fds_cloexec(READY_FD + 1, &err) < 0 || cfs_reset_signals(&err) < 0
        || setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit(125);
    execve(s->program, s->argv, envp);
    _exit(127);
}

/* A name no other run uses: the state directory (running.c)/slirp4netns-<64 random bits>.sock. */
static int
name_api_socket(struct cfs_network_stack *net)
{
    unsigned char id[8];
    int n;

    char dir[sizeof net->api_socket];

    if (cfs_state_directory(dir, sizeof dir) < 0
        || getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
        return -1;
    n = snprintf(net->api_socket, sizeof net->api_socket,
                 "%s/" STACK_PROGRAM "-%02x%02x%02x%02x%02x%02x%02x%02x.sock", dir, id[0], id[1],
                 id[2], id[3], id[4], id[5], id[6], id[7]);
    if (n < 0 || (size_t)n >= sizeof net->api_socket) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Starts slirp4netns on the network namespace of process child, with an
 * API socket when there are ports to publish. */
static int
spawn_stack(const args_t *args, struct cfs_network_stack *net, pid_t child, int ready_fd)
{
    char pid[16], userns[48];
    const char *argv[16];
    int exit_pipe[2], n = 0, saved;
    struct spawn s = { .program = net->program,
                       .argv = (char *const *)argv,
                       .ready_fd = ready_fd,
                       .slave = geteuid() == 0 };
    void *stack;

    snprintf(pid, sizeof pid, "%d", (int)child);
    argv[n++] = STACK_PROGRAM;
    argv[n++] = "--configure"; /* tap0 up at 10.0.2.100/24, routed through 10.0.2.2 */
    argv[n++] = "--mtu=65520"; /* as podman: ~8 times the throughput of 1500 */
    argv[n++] = "--disable-host-loopback";
    argv[n++] = "--enable-sandbox"; /* in its own mount namespace, few capabilities */
    argv[n++] = "--enable-seccomp";
    argv[n++] = "--exit-fd=3";
    argv[n++] = "--ready-fd=4";
    /* Rootless: the child's network namespace is its user namespace's, which
     * slirp4netns must join first to enter it (userns.c). */
    snprintf(userns, sizeof userns, "--userns-path=/proc/%d/ns/user", (int)child);
    if (geteuid() != 0)
        argv[n++] = userns;
    if (args->nports > 0) {
        argv[n++] = "--api-socket";
        argv[n++] = net->api_socket;
    }
    argv[n++] = pid;
    argv[n++] = "tap0";
    argv[n] = NULL;
    if (pipe2(exit_pipe, O_CLOEXEC) < 0)
        return -1;
    s.exit_fd = exit_pipe[0];
    stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        saved = errno;
        close(exit_pipe[0]);
        close(exit_pipe[1]);
        errno = saved;
        return -1;
    }
    net->stack = clone(spawn_main, (char *)stack + SPAWN_STACK_SIZE,
                       CLONE_VM | CLONE_VFORK | (s.slave ? CLONE_NEWNS : 0) | SIGCHLD, &s);
    saved = errno;
    munmap(stack, SPAWN_STACK_SIZE);
    close(exit_pipe[0]);
    if (net->stack < 0) {
        net->stack = 0;
        close(exit_pipe[1]);
        errno = saved;
        return -1;
    }
    net->exit_fd = exit_pipe[1];
    return 0;
}

/* One byte on the ready pipe once tap0 is configured; end of file when
 * slirp4netns died first (ECHILD), nothing in time (ETIMEDOUT). */
static int
wait_until_ready(int ready_fd)
{
    struct pollfd ready = { .fd = ready_fd, .events = POLLIN };
    char byte;
    int n;

    while ((n = poll(&ready, 1, READY_TIMEOUT_MS)) < 0 && errno == EINTR) {
    }
    if (n == 0)
        errno = ETIMEDOUT;
    if (n <= 0)
        return -1;
    while ((n = (int)read(ready_fd, &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1)
        return 0;
    if (n == 0)
        errno = ECHILD;
    return -1;
}

/* One request on the API socket, one connection each (slirp4netns's
 * api.c reads a request, answers, closes): {"return":...} or
 * {"error":...}. */
static int
publish_port(const struct cfs_network_stack *net, const struct cfs_port *p)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char request[256], answer[256];
    unsigned int a = p->host_addr;
    int fd, len;
    ssize_t n;

    len = snprintf(request, sizeof request,
                   "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\",\"host_addr\":"
                   "\"%u.%u.%u.%u\",\"host_port\":%d,\"guest_addr\":\"" STACK_GUEST
                   "\",\"guest_port\":%d}}",
                   p->udp ? "udp" : "tcp", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
                   p->host_port, p->container_port);
    memcpy(addr.sun_path, net->api_socket, sizeof addr.sun_path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0
        || send(fd, request, (size_t)len, MSG_NOSIGNAL) != len
        || (n = read(fd, answer, sizeof answer - 1)) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    answer[n] = '\0';
    if (strstr(answer, "\"return\"") != NULL)
        return 0;
    /* slirp_add_hostfwd fails when it cannot bind the host's port. */
    errno = EADDRINUSE;
    return -1;
}

/* "-p 127.0.0.1:8080:80/tcp", for a message. */
static void
describe_port(const struct cfs_port *p, char *buf, size_t size)
{
    unsigned int a = p->host_addr;

    snprintf(buf, size, "-p %u.%u.%u.%u:%d:%d/%s", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
             a & 0xff, p->host_port, p->container_port, p->udp ? "udp" : "tcp");
}

int
cfs_network_start(const args_t *args, struct cfs_network_stack *net, pid_t child, cfs_error_t *err)
{
    int ready[2];
    char what[64];

    if (args->network != CFS_NETWORK_PRIVATE)
        return 0;
    /* We keep our copy of go's read end until the end: a child that failed
     * and left before our byte must not make the write raise SIGPIPE. */
    if ((args->nports > 0 && name_api_socket(net) < 0) || pipe2(ready, O_CLOEXEC) < 0)
        return cfs_fail(err, CFS_STEP_NET_STACK, net->api_socket);
    if (spawn_stack(args, net, child, ready[1]) < 0) {
        cfs_fail(err, CFS_STEP_NET_STACK, net->program);
        close(ready[0]);
        close(ready[1]);
        return -1;
    }
    close(ready[1]);
    if (wait_until_ready(ready[0]) < 0) {
        cfs_fail(err, CFS_STEP_NET_STACK, net->program);
        close(ready[0]);
        return -1;
    }
    close(ready[0]);
    for (int i = 0; i < args->nports; i++)
        if (publish_port(net, &args->ports[i]) < 0) {
            describe_port(&args->ports[i], what, sizeof what);
            return cfs_fail(err, CFS_STEP_NET_STACK, what);
        }
    /* Published: nobody needs the API any more, and nobody else may use it. */
    if (net->api_socket[0] != '\0')
        unlink(net->api_socket);
    net->api_socket[0] = '\0';
    if (write(net->go[1], "1", 1) != 1)
        return cfs_fail(err, CFS_STEP_NET_STACK, "");
    return 0;
}

/* The empty file use_stack_dns made, and the etc/ it copied up when
 * WRITEDIR had none, if nothing else is in it now.  The overlay is gone
 * with the container's mount namespace: WRITEDIR may be changed.  What is
 * in WRITEDIR now is the container's doing: its etc may be a symlink to a
 * directory of the host, which "etc/resolv.conf" would follow, so etc is
 * opened without following one. */
static void
remove_mount_point(struct cfs_network_stack *net)
{
    struct stat st;
    int etc;

    if (net->writedir < 0)
        return;
    etc = openat(net->writedir, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (etc >= 0) {
        if (fstatat(etc, "resolv.conf", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)
            && st.st_size == 0)
            unlinkat(etc, "resolv.conf", 0);
        close(etc);
    }
    if (!net->etc_was_there)
        unlinkat(net->writedir, "etc", AT_REMOVEDIR); /* only if empty */
    close(net->writedir);
    net->writedir = -1;
}

void
cfs_network_stop(struct cfs_network_stack *net)
{
    for (int i = 0; i < 2; i++)
        if (net->go[i] >= 0)
            close(net->go[i]);
    net->go[0] = net->go[1] = -1;
    if (net->exit_fd >= 0)
        close(net->exit_fd);
    net->exit_fd = -1;
    if (net->stack > 0) {
        kill(net->stack, SIGKILL);
        while (waitpid(net->stack, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    net->stack = 0;
    if (net->api_socket[0] != '\0')
        unlink(net->api_socket);
    net->api_socket[0] = '\0';
    remove_mount_point(net);
}

/* ---- the child ---- */

/* A new network namespace has only a loopback device, and it is down
 * (network_namespaces(7)); programs expect 127.0.0.1 to work. */
static int
bring_up_loopback(cfs_error_t *err)
{
    struct ifreq ifr;
    int fd;

    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        cfs_fail(err, CFS_STEP_NETWORK, "lo");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
        cfs_fail(err, CFS_STEP_NETWORK, "lo");
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
cfs_join_network(const args_t *args, struct cfs_network_stack *net, cfs_error_t *err)
{
    if (args->network == CFS_NETWORK_HOST || args->network == CFS_NETWORK_JOIN)
        return 0; /* JOIN: the engine's, set up by it and joined already (namespaces.c) */
    if (net->go[1] >= 0) {
        close(net->go[1]); /* the parent's: its end of file must be ours to see */
        net->go[1] = -1;
    }
    return bring_up_loopback(err);
}

/* A -v or --tmpfs of the user's at /etc or /etc/resolv.conf: theirs wins. */
static int
user_mounts_resolv_conf(const args_t *args)
{
    for (int i = 0; i < args->nmounts; i++)
        if (strcmp(args->mounts[i].target, "/etc") == 0
            || strcmp(args->mounts[i].target, "/etc/resolv.conf") == 0)
            return 1;
    return 0;
}

/* After pivot_root, so that every path resolves in the container's tree
 * (a symlink among them cannot lead to the host's), and after the stack is
 * up, so that a run whose stack failed made nothing.  The file is written
 * in our /dev tmpfs, bound over /etc/resolv.conf and unlinked, so it lives
 * on as that mount only.  An /etc that is no directory, or a resolv.conf
 * that is no regular file (a symlink), is left as the image has it; a
 * missing resolv.conf is made as the mount point, as Docker makes it in the
 * container's layer, except on a read-only root, which keeps its own. */
int
cfs_use_stack_dns(const args_t *args, cfs_error_t *err)
{
    static const char contents[] = "nameserver " STACK_DNS "\n";
    static const char file[] = "/dev/.container-fs-resolv.conf";
    static const char target[] = "/etc/resolv.conf";
    struct stat st;
    int fd;

    if (args->network != CFS_NETWORK_PRIVATE || user_mounts_resolv_conf(args))
        return 0;
    if (lstat("/etc", &st) < 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (lstat(target, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return 0;
    } else if (errno != ENOENT) {
        return cfs_fail(err, CFS_STEP_NETWORK, target);
    } else {
        fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EROFS)
            return 0;
        if (fd < 0)
            return cfs_fail(err, CFS_STEP_NETWORK, target);
        close(fd);
    }
    fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return cfs_fail(err, CFS_STEP_NETWORK, file);
    if (write(fd, contents, sizeof contents - 1) != (ssize_t)(sizeof contents - 1)) {
        close(fd);
        return cfs_fail(err, CFS_STEP_NETWORK, file);
    }
    close(fd);
    if (cfs_traced_mount(args->trace, file, target, NULL, MS_BIND, NULL) < 0)
        return cfs_fail(err, CFS_STEP_NETWORK, target);
    if (unlink(file) < 0)
        return cfs_fail(err, CFS_STEP_NETWORK, file);
    return 0;
}

int
cfs_wait_for_network(const args_t *args, const struct cfs_network_stack *net, cfs_error_t *err)
{
    char byte;
    ssize_t n;

    if (args->network != CFS_NETWORK_PRIVATE)
        return 0;
    while ((n = read(net->go[0], &byte, 1)) < 0 && errno == EINTR) {
    }
    if (n < 0)
        return cfs_fail(err, CFS_STEP_NETWORK, "");
    if (n == 0)
        _exit(CFS_EXIT_FAILED); /* the parent could not start it, and says why */
    return 0;
}
