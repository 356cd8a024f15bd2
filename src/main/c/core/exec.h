/* What the command inherits, and its exec: the child's last steps, in the
 * order container.c calls them.  System calls only; 0, or -1 with *err
 * filled, but for the exec itself. */
#ifndef CFS_EXEC_H
#define CFS_EXEC_H

#include <sys/types.h>

#include "cfs.h"

/* Parent, first: /dev/null on a descriptor 0-2 the caller closed. */
void cfs_cover_closed_stdio(void);
int cfs_reset_signals(cfs_error_t *err);
int cfs_restore_nofile(const args_t *args, cfs_error_t *err);
/* process.rlimits: at most CFS_RLIMITS, each a resource number and, for
 * the message should setrlimit(2) refuse it, a line naming it with the
 * values asked for and the hard limit we have.  Parent, before clone. */
#define CFS_RLIMITS 16
struct cfs_rlimits {
    int resources[CFS_RLIMITS];
    char labels[CFS_RLIMITS][128];
};
int cfs_prepare_rlimits(const args_t *args, struct cfs_rlimits *limits, cfs_error_t *err);
/* Child: set them, in order. */
int cfs_set_rlimits(const args_t *args, const struct cfs_rlimits *limits, cfs_error_t *err);
/* process.user.umask, when given; umask(2) cannot fail. */
int cfs_set_umask(const args_t *args);
int cfs_null_closed_stdio(const args_t *args, cfs_error_t *err);
/* Every descriptor from first on close-on-exec. */
int cfs_mark_fds_cloexec(int first, cfs_error_t *err);
/* Closes every descriptor above 2 but keep; fd_dir is /proc/self/fd, open,
 * for kernels before close_range(2), and is closed too. */
int cfs_close_fds_but(int keep, int fd_dir, cfs_error_t *err);
/* Return only when the command could not be run: the exit status for it,
 * with *err filled.  --init's forks the command and execs the init program
 * from init_fd (cfs_init_program_open) as PID 1. */
int cfs_exec_command(const args_t *args, char *const envp[], cfs_error_t *err);
int cfs_start_under_init(const args_t *args, char *const envp[], int init_fd, cfs_error_t *err);

/* The parent, after clone: process.oomScoreAdj (args->set_oom_score_adj)
 * into /proc/PID/oom_score_adj, for the process and what it starts; 0, or
 * -1 with *err filled. */
int cfs_set_oom_score_adj(const args_t *args, pid_t pid, cfs_error_t *err);

#endif
