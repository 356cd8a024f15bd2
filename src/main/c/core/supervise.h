/* The parent's side while the container runs (supervise.c): its signals,
 * the child's report, the wait, and what the end means. */
#ifndef CFS_SUPERVISE_H
#define CFS_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "cfs.h"

struct cfs_cgroup; /* cgroup.h */

/* SIGINT, SIGQUIT, SIGTERM, SIGHUP and SIGALRM: their dispositions are
 * saved by cfs_take_over_signals and put back by cfs_restore_signals. */
#define CFS_HANDLED_SIGNALS 5

/* Before clone: ignore SIGINT and SIGQUIT, forward SIGTERM and SIGHUP (kept
 * until cfs_start_forwarding).  Returns 0, or -1 with errno, nothing changed. */
int cfs_take_over_signals(struct sigaction saved[CFS_HANDLED_SIGNALS]);
/* Once the command has been exec'd: forward to it from now on. */
void cfs_start_forwarding(pid_t pid);
/* Before the exec: the SIGTERM or SIGHUP kept for the command, or 0 (a --step
 * pause stops on it, step.c). */
int cfs_stop_signal_pending(void);
/* The first count dispositions put back, forwarding and its alarm off. */
void cfs_restore_signals(const struct sigaction saved[CFS_HANDLED_SIGNALS], int count);

/* The child's error record from the pipe: bytes read, 0 (end of file) when
 * the exec worked. */
ssize_t cfs_read_report(int fd, cfs_error_t *report);
/* Reap the child, forwarding off before its pid can be reused: 0 with
 * *wait_status set, or -1 with errno. */
int cfs_wait_for_child(int trace, pid_t pid, int *wait_status);
/* A path of the child's report, relative to the new root, as the user
 * reads it ("proc" is "/proc"). */
void cfs_name_in_container(cfs_error_t *err);
/* After the wait: a SIGKILL by the cgroup's OOM killer as CFS_STEP_OOM. */
void cfs_report_memory_limit(const args_t *args, const struct cfs_cgroup *cgroup, int wait_status,
                             cfs_error_t *err);

#endif
