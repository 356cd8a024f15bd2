/* A cgroup for one container: which devices it may open (devices.c), how
 * much it may use (--memory, --pids-limit, --cpus) and what it used
 * (--stats).  Made by the parent before clone(), joined by the child before
 * exec, removed after waitpid().  Only --privileged without limits and
 * without --stats makes none, and an ordinary user's run without them: a
 * user's is made below its delegated cgroup v2, for the limits only. */
#ifndef CFS_CGROUP_H
#define CFS_CGROUP_H

#include <limits.h>
#include <stddef.h>

#include "cfs.h"

/* v1 needs one directory per hierarchy: devices, memory, pids, cpu, cpuacct. */
#define CFS_CGROUP_DIRS 5

struct cfs_cgroup {
    int version; /* 0: none made; 1: v1 hierarchies (hybrid hosts); 2: unified */
    int count;   /* directories made */
    char dirs[CFS_CGROUP_DIRS][PATH_MAX];
    int procs[CFS_CGROUP_DIRS]; /* their cgroup.procs, open for the child to join */
    int locks[CFS_CGROUP_DIRS]; /* each flock(2)ed, held till removed: proof of a live owner */
    /* v1: each directory's hierarchy, as /sys/fs/cgroup names it ("memory",
     * or "cpu,cpuacct" where they share one): where OCI's cgroup mount shows it. */
    char names[CFS_CGROUP_DIRS][NAME_MAX + 1];
    /* The directory that holds each controller's files ("" without it). */
    char memory[PATH_MAX];
    char pids[PATH_MAX];
    char cpu[PATH_MAX];
    char cpuacct[PATH_MAX];
    char devices[PATH_MAX];
};

struct cfs_devices; /* devices.h */

/* Parent, before clone: make the cgroup, write the device rules (unless
 * privileged) and the limits.  Returns 0 (with version 0 when nothing was
 * made), or -1 with *err filled: without the cgroup filesystem, a run that
 * is not --privileged is refused rather than left open to every device. */
int cfs_cgroup_create(const args_t *args, const struct cfs_devices *devices,
                      struct cfs_cgroup *cgroup, cfs_error_t *err);

/* An ordinary user's run with limits or --stats, before anything is made:
 * 1 when its cgroup is a cgroup v2 one delegated to it with the
 * controllers they need, else 0 with what is missing in WHY. */
int cfs_cgroup_delegated(const args_t *args, char *why, size_t size);

/* Whether args asks for a limit: memory, pids or CPU (a swap limit goes
 * with memory's). */
int cfs_cgroup_limited(const args_t *args);

/* Child, before exec: move itself into the cgroup.  System calls only;
 * 0, or -1 with *err filled. */
int cfs_cgroup_join(const struct cfs_cgroup *cgroup, cfs_error_t *err);

/* Child, right after cfs_cgroup_join, for linux.namespaces' cgroup: a cgroup
 * namespace of its own.  0, or -1 with *err filled. */
int cfs_cgroup_unshare(const args_t *args, cfs_error_t *err);

/* Parent, after waitpid: whether the OOM killer ended anything in it. */
int cfs_cgroup_oom_kills(const struct cfs_cgroup *cgroup);

/* Parent, after waitpid: the --stats block, on stderr. */
void cfs_cgroup_print_stats(const struct cfs_cgroup *cgroup, const args_t *args);

/* Parent, on every path: kill what is left in it and remove it. */
void cfs_cgroup_remove(struct cfs_cgroup *cgroup);

/* create: close our descriptors of it and leave it to the container, which
 * outlives us; an OCI container's is not swept. */
void cfs_cgroup_close(struct cfs_cgroup *cgroup);

/* kill --all, delete: signal every process in the cgroup of the OCI
 * container ID, or kill them and remove it; nothing when it has none. */
void cfs_cgroup_signal_oci(const char *id, const char *cgroups_path, int sig);
void cfs_cgroup_remove_oci(const char *id, const char *cgroups_path);
/* exec: open the cgroup.procs of each directory of the OCI container ID's
 * cgroup, for cfs_cgroup_join; 0, or -1 with *err filled (ENOENT: none). */
int cfs_cgroup_open_oci(const char *id, const char *cgroups_path, struct cfs_cgroup *cgroup,
                        cfs_error_t *err);
/* ps: the pids of every process in that cgroup and the cgroups below it,
 * each once, at most max; how many. */
int cfs_cgroup_pids_oci(const char *id, const char *cgroups_path, int *pids, int max);
/* The OCI container's cgroup below each hierarchy: linux.cgroupsPath (no
 * "..", not the root), else container-fs.oci-ID; -1 with errno if none fits. */
int cfs_cgroup_oci_name(const char *id, const char *cgroups_path, char *name, size_t size);

#endif
