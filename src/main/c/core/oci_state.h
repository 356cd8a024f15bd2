/* The OCI runtime's state and its calls after create (docs/OCI.md): one
 * directory ROOT/ID per container holds
 *   state      what create knew, KEY=VALUE lines: bundle, rootfs, created,
 *              annotations (JSON), starttime (the process's, clock ticks
 *              since boot; 0 before it was known), cgroupsPath;
 *   posthooks  config.json's poststart and poststop hooks, when it had any
 *              (path, args, env, timeout), for start and delete;
 *   pid        the container's pid, written by the core once set up;
 *   exec.fifo  made by create, removed by start;
 *   lock       locked (fcntl(2)) by every call that changes the container.
 * Whether it is created, running or stopped is read from /proc each time,
 * never stored: a container whose process died is stopped, and a pid reused
 * by another process is told by its start time.
 *
 * Both front ends call these: the launcher (launcher/oci.c) for state,
 * start, kill, delete and list without a JVM, the jar through JNI for the
 * same calls and for create's state.  Each failure is one line in
 * err->message, for the front end to print as it prints its own. */
#ifndef CFS_OCI_STATE_H
#define CFS_OCI_STATE_H

#include <limits.h>
#include <stdio.h>

#include "cfs.h"

/* runc's container ids: 1 to 128 characters. */
#define CFS_OCI_ID_MAX 128
/* The runtime spec's version, as the state document and every hook's state name it. */
#define CFS_OCI_VERSION "1.0.2"

enum cfs_oci_status { CFS_OCI_CREATED, CFS_OCI_RUNNING, CFS_OCI_STOPPED };

typedef struct {
    char message[CFS_MESSAGE_MAX];
} cfs_oci_error_t;

/* One poststart or poststop hook failed, or could not be read: a warning,
 * never a failure (the runtime spec); the call goes on. */
typedef void cfs_oci_warn_fn(void *context, const char *message);

/* One container's state as create stored it, and its status now. */
struct cfs_oci_state {
    char id[CFS_OCI_ID_MAX + 1];
    char dir[PATH_MAX];
    char *text; /* the state file, owned; the fields point into it */
    const char *bundle, *rootfs, *created, *annotations;
    const char *cgroups_path; /* NULL without linux.cgroupsPath */
    long long starttime;
    int pid;    /* from the pid file, 0 before it was written */
    int status; /* enum cfs_oci_status */
};

/* Without --root: /run/container-fs/oci, or, in a user namespace an engine
 * made (rootless podman runs its runtime as root of its own),
 * RUNTIME_DIR/container-fs/oci when RUNTIME_DIR ($XDG_RUNTIME_DIR) is set:
 * /run is the real root's. */
void cfs_oci_default_root(const char *runtime_dir, char *root, size_t size);

/* "created", "running" or "stopped". */
const char *cfs_oci_status_name(int status);

/* kill's SIGNAL: a name with or without SIG, in any case, or a number
 * 1-64, as runc takes it; -1 for anything else. */
int cfs_oci_signal_number(const char *word);

/* The container ID under ROOT, read: 0, or -1 with err filled (an invalid
 * id, no such container, a state file that cannot be read).  Free it with
 * cfs_oci_state_free. */
int cfs_oci_load(const char *root, const char *id, struct cfs_oci_state *state,
                 cfs_oci_error_t *err);
void cfs_oci_state_free(struct cfs_oci_state *state);

/* The runtime spec's state document, with its newline, on OUT. */
void cfs_oci_print_state(const struct cfs_oci_state *state, FILE *out);

/* The calls, as runc makes them.  Each returns 0, or -1 with err filled;
 * WARN gets each failed post hook.  kill takes SIGNAL as the user spelled
 * it; with ALL, every process of the container's cgroup gets it too. */
int cfs_oci_start(const char *root, const char *id, cfs_oci_warn_fn *warn, void *context,
                  cfs_oci_error_t *err);
int cfs_oci_kill(const char *root, const char *id, const char *signal, int all, int *number,
                 cfs_oci_error_t *err);
int cfs_oci_delete(const char *root, const char *id, int force, cfs_oci_warn_fn *warn,
                   void *context, cfs_oci_error_t *err);

/* list: every container under ROOT, by id, as a table (ID, PID, STATUS,
 * BUNDLE), a JSON array of state documents, or (QUIET) ids only. */
int cfs_oci_list(const char *root, int json, int quiet, FILE *out, cfs_oci_error_t *err);

/* ps: the processes of the container's cgroup and the cgroups below it, by
 * pid: a JSON array of pids, as runc prints it, or a table of UID, PID, PPID
 * and CMD, the first columns of ps -ef, read from /proc. */
int cfs_oci_ps(const char *root, const char *id, int json, FILE *out, cfs_oci_error_t *err);

/* create, before its container is made: ROOT/ID made (not there before),
 * locked (the lock's descriptor, held till closed), the state file written
 * from KEYS and VALUES, and HOOKS' poststart and poststop ones kept for
 * start and delete.  -1 with err filled, nothing left behind. */
int cfs_oci_create_state(const char *root, const char *id, const char *const *keys,
                         const char *const *values, int nfields, const struct cfs_hook *hooks,
                         int nhooks, cfs_oci_error_t *err);
/* create, once its container waits for start: the pid the core wrote, and
 * its start time added to the state file (and to PID_FILE, the engine's
 * --pid-file, unless NULL).  The pid, or -1 with err filled. */
int cfs_oci_created(const char *root, const char *id, const char *pid_file, cfs_oci_error_t *err);
/* create failed, or delete: ROOT/ID and what is in it removed. */
int cfs_oci_remove(const char *root, const char *id, cfs_oci_error_t *err);
/* The state's members every hook gets besides ociVersion, status and pid:
 * "id": …, "bundle": …, "annotations": …; malloc'ed, NULL without memory. */
char *cfs_oci_hook_members(const struct cfs_oci_state *state);
/* The kept hooks of PHASE (enum cfs_hook_phase), each run with the state's
 * STATUS and PID; one that fails is a warning and the others still run. */
void cfs_oci_run_post_hooks(const struct cfs_oci_state *state, int phase, const char *status,
                            int pid, cfs_oci_warn_fn *warn, void *context);
/* Holds ROOT/ID's lock until the descriptor is closed: the descriptor, or
 * -1 with err filled. */
int cfs_oci_lock(const char *dir, const char *id, cfs_oci_error_t *err);

/* --log: one line appended to LOG, runc's text (time="…" level=… msg="…")
 * or, with JSON, {"level":…,"msg":…,"time":…}; a log that cannot be written
 * is said on ERRORS. */
void cfs_oci_log(const char *log, int json, const char *level, const char *message, FILE *errors);
/* S as a JSON string, quotes included. */
void cfs_oci_json_string(const char *s, FILE *out);

#endif
