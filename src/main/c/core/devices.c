/* The device allowlist and --device.  A device node is a door to the host's
 * hardware: a node of the host's disk, made inside with mknod(2) or carried
 * by a layer, reads and writes that disk.  Layers and volumes are mounted
 * nodev (mount_tree.c), but /dev is a tmpfs of ours where nodes must work,
 * and root inside keeps CAP_MKNOD, as in Docker.  So, as Docker and runc do,
 * the container's cgroup refuses to open every device but a short list
 * (moby's oci/defaults.go with runc's specconv AllowedDevices): mknod of
 * any node is allowed, opening one only when a rule says so.  The kernel
 * checks the rules on open(2) and mknod(2) of a device node, whoever made
 * it (Documentation/admin-guide/cgroup-v1/devices.rst; on cgroup v2 a
 * BPF_PROG_TYPE_CGROUP_DEVICE program, cgroup-v2.rst "Device controller"). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "rootfs.h"
#include "trace.h"

#define ANY (-1)
#define RWM (CFS_ACCESS_READ | CFS_ACCESS_WRITE | CFS_ACCESS_MKNOD)

/* Docker's default: mknod of any node; the nodes of the container's /dev
 * (null, zero, full, random, urandom, tty), console, ptmx and every
 * pseudo-terminal of devpts (136:*), and tun (10:200, kept by runc since
 * its removal broke users).  Everything else, /dev/kvm, loop-control, the
 * disks, is refused. */
static const struct cfs_device_rule default_rules[] = {
    { 'c', ANY, ANY, CFS_ACCESS_MKNOD },
    { 'b', ANY, ANY, CFS_ACCESS_MKNOD },
    { 'c', 1, 3, RWM },
    { 'c', 1, 5, RWM },
    { 'c', 1, 7, RWM },
    { 'c', 1, 8, RWM },
    { 'c', 1, 9, RWM },
    { 'c', 5, 0, RWM },
    { 'c', 5, 1, RWM },
    { 'c', 5, 2, RWM },
    { 'c', 136, ANY, RWM },
    { 'c', 10, 200, RWM },
};
#define DEFAULT_RULES (sizeof default_rules / sizeof default_rules[0])

/* An OCI node's own numbers; the host's node at the same path kept for a
 * bind in its place (make_node) only when it is the same device. */
static void
resolve_given(const struct cfs_device *d, struct cfs_device_node *node)
{
    struct stat st;

    node->mode = (mode_t)d->mode;
    node->rdev = makedev(d->major, d->minor);
    node->uid = (uid_t)d->uid;
    node->gid = (gid_t)d->gid;
    node->host = !S_ISFIFO(node->mode) && stat(d->host, &st) == 0
                         && (st.st_mode & S_IFMT) == (node->mode & S_IFMT)
                         && st.st_rdev == node->rdev
                     ? d->host
                     : NULL;
}

int
cfs_devices_resolve(const args_t *args, struct cfs_devices *devices, cfs_error_t *err)
{
    memset(devices, 0, sizeof *devices);
    devices->rules = args->device_rules;
    devices->nrules = args->ndevice_rules;
    if (args->ndevices == 0)
        return 0;
    devices->nodes = calloc((size_t)args->ndevices, sizeof *devices->nodes);
    if (devices->nodes == NULL)
        return cfs_fail(err, CFS_STEP_CGROUP, "");
    for (int i = 0; i < args->ndevices; i++) {
        const struct cfs_device *d = &args->devices[i];
        struct cfs_device_node *node = &devices->nodes[i];
        struct stat st;

        node->target = d->target + strspn(d->target, "/");
        node->access = d->access;
        devices->count++;
        if (d->node_given) {
            resolve_given(d, node);
            continue;
        }
        if (stat(d->host, &st) < 0)
            return cfs_fail(err, CFS_STEP_DEV, d->host);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
            cfs_set_error(err, CFS_STEP_DEV, d->host, ENODEV);
            return -1;
        }
        node->host = d->host;
        node->mode = st.st_mode & (S_IFMT | 07777);
        node->rdev = st.st_rdev;
        node->uid = st.st_uid;
        node->gid = st.st_gid;
    }
    return 0;
}

void
cfs_devices_free(struct cfs_devices *devices)
{
    free(devices->nodes);
    memset(devices, 0, sizeof *devices);
}

/* The default rules, then one per --device, then linux.resources.devices';
 * malloc'd, *n of them. */
static struct cfs_device_rule *
all_rules(const struct cfs_devices *devices, size_t *n)
{
    struct cfs_device_rule *rules = malloc(
        (DEFAULT_RULES + (size_t)devices->count + (size_t)devices->nrules) * sizeof *rules);

    if (rules == NULL)
        return NULL;
    memcpy(rules, default_rules, sizeof default_rules);
    *n = DEFAULT_RULES;
    for (int i = 0; i < devices->count; i++) {
        const struct cfs_device_node *node = &devices->nodes[i];

        if (node->access != 0)
            rules[(*n)++]
                = (struct cfs_device_rule){ S_ISBLK(node->mode) ? 'b' : 'c', (int)major(node->rdev),
                                            (int)minor(node->rdev), node->access };
    }
    for (int i = 0; i < devices->nrules; i++)
        rules[(*n)++] = devices->rules[i];
    return rules;
}

/* ---- cgroup v1: the devices controller ---- */

static int
open_rules_file(const char *dir, const char *file)
{
    char path[PATH_MAX];

    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return open(path, O_WRONLY | O_CLOEXEC);
}

/* "c 136:* rwm", as devices.allow reads a rule. */
static void
rule_text(const struct cfs_device_rule *r, char *out, size_t size)
{
    char major[16] = "*", minor[16] = "*", access[4];
    int n = 0;

    if (r->major != ANY)
        snprintf(major, sizeof major, "%d", r->major);
    if (r->minor != ANY)
        snprintf(minor, sizeof minor, "%d", r->minor);
    if (r->access & CFS_ACCESS_READ)
        access[n++] = 'r';
    if (r->access & CFS_ACCESS_WRITE)
        access[n++] = 'w';
    if (r->access & CFS_ACCESS_MKNOD)
        access[n++] = 'm';
    access[n] = '\0';
    snprintf(out, size, "%c %s:%s %s", r->type, major, minor, access);
}

/* A new v1 devices cgroup starts with its parent's list, for the root
 * "a *:* rwm": "a" in devices.deny empties it, then each rule is allowed,
 * one per write(2) as the controller takes them. */
int
cfs_devices_write_v1(const struct cfs_devices *devices, const char *dir)
{
    size_t n = 0;
    struct cfs_device_rule *rules = all_rules(devices, &n);
    int deny = open_rules_file(dir, "devices.deny"), allow = open_rules_file(dir, "devices.allow");
    int result = rules != NULL && deny >= 0 && allow >= 0 && write(deny, "a", 1) == 1 ? 0 : -1,
        saved;
    char text[64];

    for (size_t i = 0; i < n && result == 0; i++) {
        rule_text(&rules[i], text, sizeof text);
        if (write(allow, text, strlen(text)) < 0)
            result = -1;
    }
    saved = errno;
    if (deny >= 0)
        close(deny);
    if (allow >= 0)
        close(allow);
    free(rules);
    errno = saved;
    return result;
}

/* ---- cgroup v2: a BPF device program ----
 *
 * The kernel runs it on every open(2) and mknod(2) of a device node in the
 * cgroup, with struct bpf_cgroup_dev_ctx in r1: access_type (the access in
 * its upper 16 bits, BPF_DEVCG_DEV_BLOCK or _CHAR in its lower), major and
 * minor.  It returns 1 to allow, 0 to refuse with EPERM.  As runc's
 * devicefilter does: the fields into r2 to r5 once, then one block per
 * rule that jumps to the next block on the first field that does not
 * match and returns 1 at its end; past the last block, 0.  Every rule
 * allows, so their order does not matter. */

struct program {
    struct bpf_insn *code;
    size_t length;
};

static void
emit(struct program *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    p->code[p->length++]
        = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
}

/* A rule's checks, each a jump past the block's end when it fails. */
static void
emit_rule(struct program *p, const struct cfs_device_rule *r)
{
    const int check_access = (r->access & RWM) != RWM;
    /* The jumps, then r0 = 1 and exit: an offset counts from the next instruction. */
    int left = 1 + (check_access ? 3 : 0) + (r->major != ANY) + (r->minor != ANY) + 2;

    emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, (int16_t)--left,
         r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
    if (check_access) {
        /* Allowed when every bit asked for is in the rule: (r3 & access) == r3. */
        emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_3, 0, 0);
        emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0, r->access);
        left -= 2;
        emit(p, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_6, BPF_REG_3, (int16_t)--left, 0);
    }
    if (r->major != ANY)
        emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, (int16_t)--left, r->major);
    if (r->minor != ANY)
        emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, (int16_t)--left, r->minor);
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
    emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static void
emit_program(struct program *p, const struct cfs_device_rule *rules, size_t n)
{
    const int16_t type = offsetof(struct bpf_cgroup_dev_ctx, access_type);

    emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, type, 0);
    emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
    emit(p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
    emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
    emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1,
         offsetof(struct bpf_cgroup_dev_ctx, major), 0);
    emit(p, BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1,
         offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
    for (size_t i = 0; i < n; i++)
        emit_rule(p, &rules[i]);
    emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
    emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* bpf(2) has no glibc wrapper. */
static int
bpf_call(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int
load_once(const struct program *p)
{
    union bpf_attr attr;

    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)p->code;
    attr.insn_cnt = (uint32_t)p->length;
    /* It calls no helper, so the kernel asks nothing of its license. */
    attr.license = (uint64_t)(uintptr_t) "GPL";
    memcpy(attr.prog_name, "container_fs", sizeof "container_fs");
    return bpf_call(BPF_PROG_LOAD, &attr);
}

/* Before Linux 5.11 a program's pages count against RLIMIT_MEMLOCK, with
 * every other locked page of the same user (root's: systemd's programs
 * too), and the load fails with EPERM past it.  Then once more with the
 * soft limit raised to the hard one, which needs no privilege, and put
 * back after: the caller's limit is the container's. */
static int
load_program(const struct program *p)
{
    struct rlimit was, raised;
    int fd = load_once(p), saved;

    if (fd >= 0 || errno != EPERM || getrlimit(RLIMIT_MEMLOCK, &was) < 0
        || was.rlim_cur == was.rlim_max)
        return fd;
    raised = (struct rlimit){ .rlim_cur = was.rlim_max, .rlim_max = was.rlim_max };
    if (setrlimit(RLIMIT_MEMLOCK, &raised) < 0)
        return -1;
    fd = load_once(p);
    saved = errno;
    setrlimit(RLIMIT_MEMLOCK, &was);
    errno = saved;
    return fd;
}

/* BPF_F_ALLOW_MULTI, as runc attaches: a program an ancestor has (systemd's
 * DevicePolicy) runs too, and every one must allow.  The attachment holds
 * the program for the cgroup's life; our descriptors can go. */
static int
attach_program(int program, const char *dir)
{
    union bpf_attr attr;
    int cgroup = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r, saved;

    if (cgroup < 0)
        return -1;
    memset(&attr, 0, sizeof attr);
    attr.target_fd = (uint32_t)cgroup;
    attr.attach_bpf_fd = (uint32_t)program;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    r = bpf_call(BPF_PROG_ATTACH, &attr);
    saved = errno;
    close(cgroup);
    errno = saved;
    return r;
}

int
cfs_devices_attach_program(const struct cfs_devices *devices, const char *dir)
{
    size_t n;
    struct cfs_device_rule *rules = all_rules(devices, &n);
    /* At most 6 instructions a rule, 8 around them; n is at least DEFAULT_RULES. */
    struct program p = { .code = calloc(8 + 6 * (n + 1), sizeof(struct bpf_insn)) };
    int program = -1, result = -1, saved;

    if (rules != NULL && p.code != NULL) {
        emit_program(&p, rules, n);
        if ((program = load_program(&p)) >= 0)
            result = attach_program(program, dir);
    }
    saved = errno;
    if (program >= 0)
        close(program);
    free(rules);
    free(p.code);
    errno = saved;
    return result;
}

/* ---- the --device nodes, in the child ---- */

/* The node's type, numbers, mode and owner, whatever the umask; one
 * already there (--device /dev/null) is replaced.  Without CAP_MKNOD (a CI
 * container, or a rootless engine's user namespace, where mknod(2) of a
 * device is refused whatever the capabilities), the host's node bound onto
 * an empty file, as for /dev's defaults (rootfs.c) and as runc does in a
 * user namespace; an OCI node the host has no twin of fails with EPERM. */
static int
make_node(const args_t *args, const struct cfs_device_node *node)
{
    char name[NAME_MAX + 1];
    int dir = cfs_open_parent(node->target, name), r, fd, saved;
    mode_t umask_was;

    if (dir < 0)
        return -1;
    umask_was = umask(0);
    r = mknodat(dir, name, node->mode, node->rdev);
    if (r < 0 && errno == EEXIST && unlinkat(dir, name, 0) == 0)
        r = mknodat(dir, name, node->mode, node->rdev);
    umask(umask_was);
    if (r == 0)
        r = fchownat(dir, name, node->uid, node->gid, AT_SYMLINK_NOFOLLOW);
    else if (errno == EPERM && node->host != NULL) {
        fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
        r = fd < 0 ? -1
                   : cfs_traced_mount(args->trace, node->host, node->target, NULL, MS_BIND, NULL);
        if (fd >= 0)
            close(fd);
    }
    saved = errno;
    close(dir);
    errno = saved;
    return r;
}

int
cfs_make_devices(const args_t *args, const struct cfs_devices *devices, cfs_error_t *err)
{
    for (int i = 0; i < devices->count; i++)
        if (make_node(args, &devices->nodes[i]) < 0)
            return cfs_fail(err, CFS_STEP_DEV, args->devices[i].target);
    return 0;
}
