/* --step (step.h): the pauses' texts, the parent that shows them and reads
 * Enter from the terminal, and the child that waits for it.  One table for
 * both front ends: the texts are data, here only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "step.h"
#include "supervise.h"
#include "trace.h"

/* What a pause says.  In why and look, {pid} is the container's PID 1 as
 * the host sees it, {root} the directory the overlay is mounted over (the
 * container's root until pivot_root), {writedir} WRITEDIR's real path. */
struct pause_text {
    const char *name;     /* what the step does */
    const char *teaching; /* where docs/TEACHING.md explains it */
    const char *why;      /* one or two sentences */
    const char *man;      /* the man pages to read */
    const char *look;     /* one thing worth looking at, and where */
};

static const struct pause_text pauses[CFS_PAUSE_COUNT] = {
    [CFS_PAUSE_CLONE] = {
        "clone the child into new namespaces", "beyond the template: namespaces",
        "clone(2) starts the container's first process in new mount, PID, UTS and IPC "
        "namespaces: from here on, what it mounts, the processes it sees and its hostname are "
        "its own.",
        "clone(2), namespaces(7)",
        "on the host: ls -l /proc/self/ns shows your shell's namespaces; at the next pause, "
        "compare sudo ls -l /proc/PID/ns",
    },
    [CFS_PAUSE_OVERLAY] = {
        "mount the overlay", "step 3",
        "The layers become one tree: the lower ones read-only, WRITEDIR on top, where every "
        "write goes. It is mounted over {root} in the container's own mount namespace, so the "
        "host never sees it.",
        "mount(2), mount(8) (\"Mount options for overlay\")",
        "on the host: ls -A {writedir} is empty, nothing has been written yet; in it: ls {root} "
        "is still the host's {root}",
    },
    [CFS_PAUSE_PROC] = {
        "mount /proc", "step 4",
        "A proc(5) of the new PID namespace, so ps inside lists only the container's processes. "
        "The child has changed into the overlay: \"proc\" is the container's /proc.",
        "mount(2), proc(5), pid_namespaces(7)",
        "in it: ls {root} shows the layers merged into one tree, and {root}/proc is empty",
    },
    [CFS_PAUSE_DEV] = {
        "mount a small /dev", "step 4",
        "A tmpfs with the few devices programs expect (null, zero, random, tty...), its own "
        "devpts and /dev/shm: not the host's /dev, where every disk is.",
        "mount(2), tmpfs(5)",
        "in it: ls {root}/proc lists the container's processes only; 1 is its first",
    },
    [CFS_PAUSE_SYS] = {
        "mount /sys read-only", "step 4",
        "sysfs shows the kernel's devices and drivers; read-only, the container may look at "
        "them, not change them.",
        "mount(2), sysfs(5)",
        "in it: ls {root}/dev, the only devices the container gets",
    },
    [CFS_PAUSE_KERNEL_FILES] = {
        "protect the kernel's files", "step 4",
        "/proc and /sys are the whole machine's: /proc/sys and its like become read-only and "
        "/proc/kcore and its like are masked, as runc does, so root inside cannot change the "
        "host's kernel.",
        "mount(2), proc(5)",
        "in it: findmnt -R {root}, the overlay and the kernel filesystems mounted so far",
    },
    [CFS_PAUSE_PIVOT] = {
        "pivot_root into the overlay", "beyond the template: pivot_root, not chroot",
        "pivot_root(2) makes the overlay the root of the mount namespace and stacks the old "
        "root on it. chroot(2) would only change how paths resolve, and root can walk out of a "
        "chroot.",
        "pivot_root(2), chroot(2)",
        "in it: ls / is still the host's root",
    },
    [CFS_PAUSE_OLD_ROOT] = {
        "unmount the old root", "beyond the template: pivot_root, not chroot",
        "umount2 with MNT_DETACH takes the host's tree out of the namespace: from here on, "
        "nothing of the host is reachable from inside.",
        "umount2(2)",
        "in it: ls / is the container's root now; findmnt | wc -l counts the host's mounts, "
        "still there until this call",
    },
    [CFS_PAUSE_HOSTNAME] = {
        "set the hostname", "beyond the template: contained by default",
        "The new UTS namespace started as a copy of the host's names; the container gets a "
        "name of its own.",
        "sethostname(2), uts_namespaces(7)",
        "in it: hostname is still the host's name; findmnt shows only the container's mounts",
    },
    [CFS_PAUSE_SECCOMP] = {
        "install the seccomp filter", "beyond the template: contained by default",
        "A BPF filter makes the kernel refuse the system calls a container has no use for "
        "(kexec_load, reboot, mount...), even to root inside, and to every process the command "
        "starts.",
        "seccomp(2)",
        "on the host: grep Seccomp /proc/{pid}/status says 0 now, 2 after this call",
    },
    [CFS_PAUSE_CAPABILITIES] = {
        "drop capabilities", "beyond the template: contained by default",
        "Root inside keeps only Docker's default capabilities; the rest (CAP_SYS_ADMIN, "
        "CAP_NET_ADMIN...) leave the bounding set, then the sets the command gets. The steps "
        "before needed them, so this comes last.",
        "capabilities(7), prctl(2), capset(2)",
        "on the host: grep Cap /proc/{pid}/status, every capability still",
    },
    [CFS_PAUSE_EXEC] = {
        "exec the command", "step 5",
        "execve(2) replaces the child with the command, which keeps its PID ({pid} on the host, "
        "1 inside), its namespaces and its root.",
        "execve(2), exec(3)",
        "on the host: ls -A {writedir} holds nothing the command wrote; look again at the next "
        "pause",
    },
    [CFS_PAUSE_EXITED] = {
        "the command has ended", "step 6",
        "waitpid(2) has reaped the command: only now does container-fs remove the work "
        "directory. With the last process gone, the kernel removed the namespaces and the "
        "overlay's mount.",
        "waitpid(2)",
        "on the host: ls -A {writedir}, what the command wrote is there, after the container: "
        "that is where it is stored",
    },
};

/* ---- the parent ---- */

static void
say(const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= (size_t)n;
    }
}

static void
say_string(const char *text)
{
    say(text, strlen(text));
}

/* text with {pid}, {root} and {writedir} replaced. */
static void
say_filled(const char *text, pid_t pid, const char *root, const char *writedir)
{
    char number[24];

    while (*text != '\0') {
        const char *brace = strchr(text, '{');
        const char *value = NULL;
        size_t skip = 0;

        if (brace == NULL) {
            say_string(text);
            return;
        }
        say(text, (size_t)(brace - text));
        if (strncmp(brace, "{pid}", 5) == 0) {
            snprintf(number, sizeof number, "%d", (int)pid);
            value = number;
            skip = 5;
        } else if (strncmp(brace, "{root}", 6) == 0) {
            value = root;
            skip = 6;
        } else if (strncmp(brace, "{writedir}", 10) == 0) {
            value = writedir != NULL ? writedir : "(none: --read-only)";
            skip = 10;
        } else {
            value = "{";
            skip = 1;
        }
        say_string(value);
        text = brace + skip;
    }
}

/* The block: the pause's number and name, the call, why, the man pages,
 * and how to look in from a second shell.  pid is 0 before clone. */
static void
show(int pause, const char *call, pid_t pid, const char *root, const char *writedir)
{
    const struct pause_text *t = &pauses[pause];
    char line[256];

    snprintf(line, sizeof line, "\n--- container-fs --step %d/%d: %s (docs/TEACHING.md, %s)\n",
             pause, CFS_PAUSE_COUNT - 1, t->name, t->teaching);
    say_string(line);
    say_string(pause == CFS_PAUSE_EXITED ? "call      " : "next call ");
    say_string(call);
    say_string("\nwhy       ");
    say_filled(t->why, pid, root, writedir);
    say_string("\nman page  ");
    say_string(t->man);
    if (pid > 0 && pause != CFS_PAUSE_EXITED) {
        snprintf(line, sizeof line,
                 "\nlook in   from a second shell: sudo nsenter --target %d --mount --uts --ipc "
                 "--pid",
                 (int)pid);
        say_string(line);
    }
    say_string("\nlook at   ");
    say_filled(t->look, pid, root, writedir);
    say_string("\n");
}

/* How often a pause looks for a SIGTERM or SIGHUP: in the JVM, another
 * thread may have run the handler, so our poll(2) need not wake. */
#define SIGNAL_CHECK_MS 200

/* Reads a line from the terminal: 1 to go on, 0 for q, end of file or an
 * error (a terminal that went away cannot say Enter), or a SIGTERM or
 * SIGHUP sent to container-fs meanwhile (kill, timeout(1), a closed
 * terminal window), which would otherwise wait for the exec. */
static int
ask(int tty, int last)
{
    struct pollfd p = { .fd = tty, .events = POLLIN };
    char c;
    int first = 0;
    ssize_t n;

    say_string(last ? "[Enter: clean up and end] " : "[Enter: go on; q, Enter: stop] ");
    for (;;) {
        if (cfs_stop_signal_pending())
            return 0;
        if (poll(&p, 1, SIGNAL_CHECK_MS) <= 0)
            continue; /* nothing typed yet, or EINTR */
        n = read(tty, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        if (c == '\n')
            return first != 'q' && first != 'Q';
        if (first == 0 && c != ' ' && c != '\t')
            first = (unsigned char)c;
    }
}

static void
close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int
cfs_step_open(const args_t *args, struct cfs_stepper *stepper, cfs_error_t *err)
{
    stepper->tty = stepper->messages[0] = stepper->messages[1] = -1;
    stepper->go[0] = stepper->go[1] = -1;
    if (!args->step)
        return 0;
    /* O_NOCTTY: a front end without a controlling terminal must not get one. */
    stepper->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (stepper->tty < 0)
        return cfs_fail(err, CFS_STEP_TERMINAL, "/dev/tty");
    if (pipe2(stepper->messages, O_CLOEXEC) < 0 || pipe2(stepper->go, O_CLOEXEC) < 0) {
        cfs_fail(err, CFS_STEP_PREPARE, "");
        cfs_step_close(stepper);
        return -1;
    }
    return 0;
}

void
cfs_step_close(struct cfs_stepper *stepper)
{
    close_fd(&stepper->tty);
    close_fd(&stepper->messages[0]);
    close_fd(&stepper->messages[1]);
    close_fd(&stepper->go[0]);
    close_fd(&stepper->go[1]);
}

static int
stopped(int pause, cfs_error_t *err)
{
    cfs_set_error(err, CFS_STEP_STOPPED, pauses[pause].name, 0);
    return -1;
}

int
cfs_step_before_clone(const struct cfs_stepper *stepper, const args_t *args, const char *writedir,
                      const char *root, int flags, cfs_error_t *err)
{
    char call[512];

    if (!args->step)
        return 0;
    cfs_format_clone(flags, call, sizeof call);
    show(CFS_PAUSE_CLONE, call, 0, root, writedir);
    return ask(stepper->tty, 0) ? 0 : stopped(CFS_PAUSE_CLONE, err);
}

static int
read_full(int fd, void *buf, size_t size)
{
    size_t got = 0;

    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

int
cfs_step_follow(struct cfs_stepper *stepper, const args_t *args, const char *writedir,
                const char *root, pid_t pid, cfs_error_t *err)
{
    static char call[CFS_PAUSE_CALL_MAX + 1]; /* one container at a time per process */
    struct cfs_pause_message m;

    if (!args->step)
        return 0;
    /* Our copy of the child's write end closed, its exec or death is an
     * end of file.  We keep go's read end: a go-ahead written after the
     * child died then cannot raise SIGPIPE. */
    close_fd(&stepper->messages[1]);
    while (read_full(stepper->messages[0], &m, sizeof m) == 0) {
        if (m.pause <= CFS_PAUSE_NONE || m.pause >= CFS_PAUSE_COUNT || m.len < 0
            || m.len > CFS_PAUSE_CALL_MAX
            || read_full(stepper->messages[0], call, (size_t)m.len) < 0)
            return 0; /* not a pause: the child's own report says what happened */
        call[m.len] = '\0';
        show(m.pause, call, pid, root, writedir);
        if (!ask(stepper->tty, 0))
            return stopped(m.pause, err);
        if (write(stepper->go[1], "", 1) != 1)
            return 0;
    }
    return 0;
}

void
cfs_step_exited(const struct cfs_stepper *stepper, const args_t *args, const char *writedir,
                const char *root, pid_t pid, int wait_status)
{
    char call[512];

    if (!args->step)
        return;
    cfs_format_waitpid(pid, wait_status, call, sizeof call);
    show(CFS_PAUSE_EXITED, call, pid, root, writedir);
    ask(stepper->tty, 1);
}
