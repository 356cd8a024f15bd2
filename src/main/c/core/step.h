/* --step: classroom mode.  The run stops before each step's system call,
 * prints what is about to happen and why, and waits for Enter on the
 * controlling terminal (/dev/tty, never the command's stdin); q stops it.
 *
 * The pauses are real.  The child, before a step, arms a pause
 * (cfs_pause); its next system call made through trace.c sends the call's
 * text to the parent and blocks until the parent writes a go-ahead byte.
 * The parent, which knows the child's PID as the host sees it, prints the
 * block (step.c's table, one for both front ends) and reads a line from the
 * terminal.  Under --step the child does not share the parent's memory
 * (no CLONE_VM, no CLONE_VFORK: the parent must run while the child waits),
 * so the child may keep the pause's state in this module's statics. */
#ifndef CFS_STEP_H
#define CFS_STEP_H

#include <stddef.h>
#include <sys/types.h>

#include "cfs.h"

/* The pauses, in the order they come; docs/TEACHING.md ("--step") numbers
 * them the same way. */
enum cfs_pause {
    CFS_PAUSE_NONE = 0,
    CFS_PAUSE_CLONE,   /* in the parent, before clone(2) */
    CFS_PAUSE_OVERLAY, /* the child's, from here on */
    CFS_PAUSE_PROC,
    CFS_PAUSE_DEV,
    CFS_PAUSE_SYS,
    CFS_PAUSE_KERNEL_FILES,
    CFS_PAUSE_PIVOT,
    CFS_PAUSE_OLD_ROOT,
    CFS_PAUSE_HOSTNAME,
    CFS_PAUSE_SECCOMP,
    CFS_PAUSE_CAPABILITIES,
    CFS_PAUSE_EXEC,
    CFS_PAUSE_EXITED, /* in the parent, after waitpid(2), before the clean-up */
    CFS_PAUSE_COUNT
};

/* What the child sends at a pause (pause.c), followed by len bytes of the
 * call's text, at most trace.c's 16 KiB line. */
#define CFS_PAUSE_CALL_MAX 16384
struct cfs_pause_message {
    int pause;
    int len;
};

/* The parent's side: the terminal and the two pipes to the child. */
struct cfs_stepper {
    int tty;         /* /dev/tty, where Enter is read; -1 without --step */
    int messages[2]; /* the child's pauses: it writes [1], the parent reads [0] */
    int go[2];       /* the go-ahead: the parent writes [1], the child reads [0] */
};

/* Before anything is made: with --step, open /dev/tty (refused without a
 * terminal: CFS_STEP_TERMINAL) and the pipes.  0, or -1 with *err filled
 * and nothing left open.  Without --step, every descriptor is -1. */
int cfs_step_open(const args_t *args, struct cfs_stepper *stepper, cfs_error_t *err);
void cfs_step_close(struct cfs_stepper *stepper);

/* The parent, before clone(2) with these flags: 0 to go on, -1 when the
 * user stopped (err filled with CFS_STEP_STOPPED). */
int cfs_step_before_clone(const struct cfs_stepper *stepper, const args_t *args,
                          const char *writedir, const char *root, int flags, cfs_error_t *err);
/* The parent, after clone(2): closes the child's ends, then shows each
 * pause the child reaches until the child execs or ends (0), or until the
 * user stops (-1, err filled; the caller kills the child). */
int cfs_step_follow(struct cfs_stepper *stepper, const args_t *args, const char *writedir,
                    const char *root, pid_t pid, cfs_error_t *err);
/* The parent, after waitpid(2) reaped pid: the last pause, before the
 * clean-up; Enter or q both go on. */
void cfs_step_exited(const struct cfs_stepper *stepper, const args_t *args, const char *writedir,
                     const char *root, pid_t pid, int wait_status);

/* pause.c, the child's side. */

/* The child, first thing: keep its ends of the pipes, close the parent's. */
void cfs_step_child_start(const struct cfs_stepper *stepper);
/* The child, before a step: its next system call through trace.c pauses.
 * Returns 0, for a chain of steps.  Does nothing without --step. */
int cfs_pause(const args_t *args, enum cfs_pause pause);
/* For trace.c: whether a pause is armed, and the pause itself, showing the
 * call about to be made. */
int cfs_pause_armed(void);
void cfs_pause_now(const char *call, size_t len);

#endif
