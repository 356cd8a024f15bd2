/* Flags for a whole tree of mounts.  A bind with MS_REC brings the source's
 * submounts along, and a bind remount changes one mount only (mount(2)), so
 * `-v /:/host:ro` left /host/dev/shm, /host/proc/sys and the cgroup tree
 * writable (issue 23).  mount_setattr(2) (Linux 5.12) sets the flags on every
 * mount of the tree at once; before it, as on the course VM's 5.4, each
 * mount of the tree is remounted in turn, found in /proc/self/mountinfo by
 * its parent's id.  System calls and stack buffers only: the child runs this
 * between clone and exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mount_tree.h"
#include "trace.h"

/* Past this many mounts below one volume it is refused, not left partly
 * writable; a host has far fewer. */
#define MAX_TREE 4096
/* What one read of mountinfo holds; a longer line is refused too. */
#define MOUNTINFO_BUFFER 65536

/* The mounts of the tree found so far, and which are remounted. */
struct tree {
    int id[MAX_TREE];
    unsigned char done[MAX_TREE];
    int n;
};

/* One line of mountinfo (proc(5)): "36 35 98:0 /mnt1 /mnt/parent rw,nosuid
 * master:1 - ext3 /dev/root rw": its id, its parent's, where it is mounted
 * (escaped) and its own flags. */
struct entry {
    int id;
    int parent;
    const char *point;
    size_t point_len;
    const char *options;
    size_t options_len;
};

static int
find(const struct tree *tree, int id)
{
    for (int i = 0; i < tree->n; i++)
        if (tree->id[i] == id)
            return i;
    return -1;
}

/* The decimal number at *p, which moves past it; -1 when there is none. */
static int
number(const char **p)
{
    int n = 0;

    if (**p < '0' || **p > '9')
        return -1;
    while (**p >= '0' && **p <= '9')
        n = n * 10 + (*(*p)++ - '0');
    return n;
}

/* The id of the mount on path, from /proc/self/fdinfo (its "mnt_id:"
 * line, Linux 3.15): statx's STATX_MNT_ID is 5.8. */
static int
mount_id(const char *path)
{
    char name[48] = "/proc/self/fdinfo/", digits[12], buf[1024];
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), info, n = 0, id = -1;
    size_t len = strlen(name);
    ssize_t got;
    const char *p;

    if (fd < 0)
        return -1;
    for (int v = fd; n == 0 || v > 0; v /= 10)
        digits[n++] = (char)('0' + v % 10);
    while (n > 0)
        name[len++] = digits[--n];
    name[len] = '\0';
    info = open(name, O_RDONLY | O_CLOEXEC);
    if (info >= 0 && (got = read(info, buf, sizeof buf - 1)) >= 0) {
        buf[got] = '\0';
        if ((p = strstr(buf, "mnt_id:")) != NULL) {
            p += strlen("mnt_id:");
            p += strspn(p, " \t");
            id = number(&p);
        }
        if (id < 0)
            errno = EINVAL;
    }
    if (info >= 0)
        close(info);
    close(fd);
    return id;
}

/* The n-th space-separated field of line (from 0), and its length. */
static const char *
field(const char *line, int n, size_t *len)
{
    for (; n > 0 && line != NULL; n--)
        if ((line = strchr(line, ' ')) != NULL)
            line++;
    if (line == NULL)
        return NULL;
    *len = strcspn(line, " ");
    return line;
}

static int
parse(const char *line, struct entry *e)
{
    const char *p = line;
    size_t len;

    if ((e->id = number(&p)) < 0 || *p++ != ' ' || (e->parent = number(&p)) < 0
        || (e->point = field(line, 4, &e->point_len)) == NULL
        || (e->options = field(line, 5, &len)) == NULL) {
        errno = EINVAL;
        return -1;
    }
    e->options_len = len;
    return 0;
}

/* The kernel escapes space, tab, newline and backslash in a mount point as
 * \ooo (fs/proc_namespace.c, show_mountinfo()). */
static int
unescape(const char *from, size_t len, char *to)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        char c = from[i];
        if (c == '\\' && i + 3 < len && from[i + 1] >= '0' && from[i + 1] <= '3'
            && from[i + 2] >= '0' && from[i + 2] <= '7' && from[i + 3] >= '0'
            && from[i + 3] <= '7') {
            c = (char)(((from[i + 1] - '0') << 6) | ((from[i + 2] - '0') << 3)
                       | (from[i + 3] - '0'));
            i += 3;
        }
        if (n + 1 >= PATH_MAX) {
            errno = ENAMETOOLONG;
            return -1;
        }
        to[n++] = c;
    }
    to[n] = '\0';
    return 0;
}

/* The flags a bind remount must repeat to keep them: it sets the mount's
 * flags to those it is given, atime aside (mount(2), "MS_REMOUNT"). */
static unsigned long
kept_flags(const char *options, size_t len)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } known[] = {
        { "ro", MS_RDONLY },
        { "nosuid", MS_NOSUID },
        { "nodev", MS_NODEV },
        { "noexec", MS_NOEXEC },
    };
    unsigned long flags = 0;

    for (size_t i = 0; i < len;) {
        size_t word = strcspn(options + i, ", ");
        if (word > len - i)
            word = len - i;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strlen(known[k].name) == word && strncmp(options + i, known[k].name, word) == 0)
                flags |= known[k].flag;
        i += word + 1;
    }
    return flags;
}

/* One mount of mountinfo: when it is in the tree, or its parent is, it is
 * remounted with the wanted flags added to its own. */
static int
visit(int trace, struct tree *tree, unsigned long wanted, const char *line, int *added)
{
    char path[PATH_MAX];
    struct entry e;
    int i;

    if (parse(line, &e) < 0)
        return -1;
    if ((i = find(tree, e.id)) < 0) {
        if (find(tree, e.parent) < 0)
            return 0;
        if (tree->n == MAX_TREE) {
            errno = E2BIG;
            return -1;
        }
        i = tree->n++;
        tree->id[i] = e.id;
        tree->done[i] = 0;
        *added = 1;
    }
    if (tree->done[i])
        return 0;
    tree->done[i] = 1;
    if (unescape(e.point, e.point_len, path) < 0)
        return -1;
    return cfs_traced_mount(trace, NULL, path, NULL,
                            MS_BIND | MS_REMOUNT | kept_flags(e.options, e.options_len) | wanted,
                            NULL);
}

/* One pass over mountinfo, with read(2) into buf: no stdio in the child.
 * *added tells whether a mount joined the tree: its own submounts may be
 * listed before it, so the caller passes again. */
static int
walk_mountinfo(int trace, struct tree *tree, unsigned long wanted, char *buf, size_t size,
               int *added)
{
    int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), result = -1;
    size_t have = 0;

    if (fd < 0)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf + have, size - 1 - have);
        char *start = buf, *end;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        while ((end = memchr(start, '\n', (size_t)(buf + have - start))) != NULL) {
            *end = '\0';
            if (visit(trace, tree, wanted, start, added) < 0)
                goto out;
            start = end + 1;
        }
        have = (size_t)(buf + have - start);
        if (n == 0) {
            result = have == 0 ? 0 : visit(trace, tree, wanted, start, added);
            break;
        }
        if (have == size - 1) {
            errno = E2BIG;
            break;
        }
        memmove(buf, start, have);
    }
out:
    close(fd);
    return result;
}

/* Linux 5.4: each mount of the tree under target remounted in turn.  A
 * mount stacked under another on one mount point cannot be named by a path
 * and keeps its flags; it is out of reach from inside too. */
static int
remount_tree(int trace, const char *target, unsigned long wanted)
{
    char buf[MOUNTINFO_BUFFER];
    struct tree tree;
    int added;

    tree.n = 1;
    tree.done[0] = 0;
    if ((tree.id[0] = mount_id(target)) < 0)
        return -1;
    do {
        added = 0;
        if (walk_mountinfo(trace, &tree, wanted, buf, sizeof buf, &added) < 0)
            return -1;
    } while (added);
    if (!tree.done[0]) {
        errno = ENOENT; /* the volume's own mount is not in our namespace */
        return -1;
    }
    return 0;
}

int
cfs_restrict_mount_tree(int trace, const char *target, unsigned long flags)
{
    unsigned int attr = (flags & MS_RDONLY ? CFS_MOUNT_ATTR_RDONLY : 0)
                        | (flags & MS_NODEV ? CFS_MOUNT_ATTR_NODEV : 0)
                        | (flags & MS_NOSUID ? CFS_MOUNT_ATTR_NOSUID : 0)
                        | (flags & MS_NOEXEC ? CFS_MOUNT_ATTR_NOEXEC : 0);

    if (attr == 0)
        return 0;
    if (cfs_traced_mount_setattr_tree(trace, target, attr) == 0)
        return 0;
    /* ENOSYS before 5.12; EPERM from an outer seccomp profile that does not
     * know the call (Docker's before 20.10): a real lack of CAP_SYS_ADMIN
     * fails the remounts below the same way. */
    if (errno != ENOSYS && errno != EPERM)
        return -1;
    return remount_tree(trace, target, flags & (MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC));
}
