/* container-fs C core: run a command in new mount, PID, UTS and IPC
 * namespaces whose root is an overlay of the given layers, with a reduced
 * set of capabilities and a seccomp filter.
 *
 * The orchestrator's interface, for the front ends only: the JNI bridge
 * (jni_native.c) and the plain C front end (main.c).  Every exported symbol
 * starts with cfs_; the types and the error helpers are the core's
 * vocabulary, in cfs.h.  The front ends only fill an args_t and print what
 * the core returns; every message and exit status of a run is made by the
 * core. */
#ifndef CFS_CONTAINER_H
#define CFS_CONTAINER_H

#include "cfs.h"

/* container.c: run the container and wait for it.  Returns the exit status a
 * shell would give: the command's own, or 128+N when signal N killed it.
 * When container-fs itself failed, err->step is not CFS_STEP_NONE and the
 * status is cfs_exit_status(err).  Either way, what the core made on the
 * host (directories, mounts) is gone when it returns. */
int cfs_run_container(const args_t *args, cfs_error_t *err);

/* The OCI lifecycle after create (lifecycle.c).  start: let the created
 * container PID, waiting on EXEC_FIFO, exec its program; 0, or -1 with
 * errno (ESRCH: it is gone).  kill --all: send SIG to every process of the
 * container ID's cgroup (linux.cgroupsPath, or NULL: its own name).  delete:
 * kill them and remove that cgroup. */
int cfs_start_created(const char *exec_fifo, int pid);
/* --pid-file: the container's pid (create) or the exec'd process's, for the
 * engine that asked; 0, or -1 with *err filled. */
int cfs_write_pid_file(const char *path, pid_t pid, cfs_error_t *err);
void cfs_signal_container(const char *id, const char *cgroups_path, int sig);
void cfs_remove_container_cgroup(const char *id, const char *cgroups_path);

/* exec (enter.c): run args' command in the running OCI container
 * args->oci_id, whose process is CONTAINER_PID: in its namespaces and
 * cgroup, with the capabilities, seccomp filter, user and limits of args, as
 * create's process got them.  args->pid_file, when set, gets its pid.
 * Returns its exit status as cfs_run_container does; with DETACH, 0 as soon
 * as it has exec'd, and it outlives us.  ps: the pids of the container's
 * cgroup (cgroup.c), at most max; how many. */
int cfs_exec_in_container(const args_t *args, int container_pid, int detach, cfs_error_t *err);
int cfs_container_pids(const char *id, const char *cgroups_path, int *pids, int max);

#endif
