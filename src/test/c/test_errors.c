/* Unit tests of errors.c: the one place that turns a failed step into the
 * exit status and the line both front ends print.
 * Run by `make -C src/main/c test` and by `mvn test`. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "cfs.h"

static const char *
format(int step, const char *path, int errnum)
{
    static char buf[8192];
    cfs_error_t err;

    cfs_set_error(&err, step, path, errnum);
    cfs_format_error(&err, buf, sizeof buf);
    return buf;
}

static int
exit_status(int step, int errnum)
{
    cfs_error_t err;

    cfs_set_error(&err, step, "x", errnum);
    return cfs_exit_status(&err);
}

static void
messages_name_step_path_and_errno(void)
{
    CHECK_STR(format(CFS_STEP_PROC, "/tmp/x/root/proc", ELOOP),
              "mount proc on `/tmp/x/root/proc`: Too many levels of symbolic links");
    CHECK_STR(format(CFS_STEP_ENTER, "/tmp/x/root", ENOENT),
              "enter overlay on `/tmp/x/root`: No such file or directory");
    CHECK_STR(format(CFS_STEP_LAYERS, "nosuch", ENOENT), "layer 'nosuch' does not exist");
    CHECK_STR(format(CFS_STEP_PREPARE, "", ENOMEM), "prepare: Cannot allocate memory");
}

static void
exec_failures_say_whether_the_command_was_found(void)
{
    CHECK_STR(format(CFS_STEP_EXEC, "nosuch", ENOENT),
              "exec `nosuch`: No such file or directory (not found in the container's PATH)");
    CHECK_STR(format(CFS_STEP_EXEC, "/usr/bin/nosuch", ENOENT),
              "exec `/usr/bin/nosuch`: No such file or directory (no such file in the container)");
    CHECK_STR(format(CFS_STEP_EXEC, "/etc", EACCES), "exec `/etc`: Permission denied");
    CHECK(exit_status(CFS_STEP_EXEC, ENOENT) == CFS_EXIT_NOT_FOUND);
    CHECK(exit_status(CFS_STEP_EXEC, EACCES) == CFS_EXIT_CANNOT_RUN);
    CHECK(exit_status(CFS_STEP_EXEC, ENOEXEC) == CFS_EXIT_CANNOT_RUN);
    CHECK(exit_status(CFS_STEP_LOADER, ENOENT) == CFS_EXIT_CANNOT_RUN);
    CHECK(strstr(format(CFS_STEP_LOADER, "/s", ENOENT), "interpreter (the #! line)") != NULL);
}

static void
every_other_step_is_ours_125(void)
{
    for (int step = CFS_STEP_NONE; step < CFS_STEP_COUNT; step++)
        if (step != CFS_STEP_EXEC && step != CFS_STEP_OOM && step != CFS_STEP_LOADER
            && step != CFS_STEP_STOPPED)
            CHECK(exit_status(step, EINVAL) == CFS_EXIT_FAILED);
}

/* A hook's failure names the hook and what became of it (hooks.c's
 * detail), or why it could not start; it is ours: 125. */
static void
a_failed_hook_says_how(void)
{
    static char buf[8192];
    cfs_error_t err;

    cfs_set_error(&err, CFS_STEP_HOOK, "/usr/libexec/setkey", 0);
    strcpy(err.detail, "exited with status 3");
    cfs_format_error(&err, buf, sizeof buf);
    CHECK_STR(buf, "run hook `/usr/libexec/setkey`: exited with status 3");
    CHECK(cfs_exit_status(&err) == CFS_EXIT_FAILED);
    CHECK_STR(format(CFS_STEP_HOOK, "/nosuch", ENOENT),
              "run hook on `/nosuch`: No such file or directory");
}

/* --step: q at a pause is 130, as a shell's Ctrl-C; no terminal is ours, 125. */
static void
a_stop_at_a_step_is_130_and_says_so(void)
{
    CHECK(exit_status(CFS_STEP_STOPPED, 0) == 130);
    CHECK_STR(format(CFS_STEP_STOPPED, "mount /proc", 0),
              "stopped at the pause before `mount /proc` (q): the container, if started, was "
              "killed, and everything made for it removed");
    CHECK(exit_status(CFS_STEP_TERMINAL, ENXIO) == CFS_EXIT_FAILED);
    CHECK_STR(format(CFS_STEP_TERMINAL, "/dev/tty", ENXIO),
              "--step waits for Enter on the terminal, and `/dev/tty` cannot be opened: No such "
              "device or address; run it from a terminal, or without --step");
}

static void
an_oom_kill_is_137_and_says_so(void)
{
    CHECK(exit_status(CFS_STEP_OOM, ENOMEM) == 137);
    CHECK_STR(format(CFS_STEP_OOM, "32m", ENOMEM),
              "the container reached its memory limit (--memory 32m) and the kernel's OOM killer "
              "ended it (exit status 137)");
}

static void
hints_say_what_to_do_next(void)
{
    CHECK(strstr(format(CFS_STEP_CLONE, "", EPERM), "run it with sudo") != NULL);
    CHECK(strstr(format(CFS_STEP_OVERLAY, "/m", EINVAL), "VirtualBox shared folder") != NULL);
    CHECK(strstr(format(CFS_STEP_WORKDIR, "/w", EXDEV), "--overlay-workdir DIR") != NULL);
    CHECK_STR(format(CFS_STEP_MOUNTPOINT, "/nonexistent", ENOENT),
              "find mountpoint on `/nonexistent`: No such file or directory (the root is mounted "
              "over TMPDIR in the container's own mount namespace: set TMPDIR to an existing "
              "directory)");
    CHECK(strstr(format(CFS_STEP_MOUNTPOINT, "/", EBUSY), "other than /") != NULL);
    CHECK(strstr(format(CFS_STEP_PROC, "/m/proc", ELOOP), "(") == NULL); /* no hint */
}

static void
a_busy_directory_names_the_holder(void)
{
    cfs_error_t err;
    char buf[8192];

    cfs_set_error(&err, CFS_STEP_LOCK, "/w", EWOULDBLOCK);
    err.holder = 4242;
    cfs_format_error(&err, buf, sizeof buf);
    CHECK_STR(buf, "`/w` is in use by the container of process 4242: two containers on one "
                   "WRITEDIR or work directory lose writes; wait for it to end or use another");
    CHECK(exit_status(CFS_STEP_LOCK, EWOULDBLOCK) == CFS_EXIT_FAILED);
    CHECK(strstr(format(CFS_STEP_LOCK, "/w", EWOULDBLOCK), "by another container") != NULL);
    cfs_set_error(&err, CFS_STEP_LOCK, "/w", EWOULDBLOCK);
    CHECK(err.holder == 0);
}

static void
overlay_failures_say_what_the_kernel_said(void)
{
    cfs_error_t err;
    char buf[8192];

    cfs_set_error(&err, CFS_STEP_OVERLAY, "/m", EINVAL);
    strcpy(err.detail, "overlay: too many lower directories, limit is 500");
    cfs_format_error(&err, buf, sizeof buf);
    CHECK_STR(buf, "mount overlay on `/m`: Invalid argument (the kernel says: overlay: too many "
                   "lower directories, limit is 500)");
    CHECK(strstr(format(CFS_STEP_OVERLAY, "/m", ELOOP), "overlapping layers") != NULL);
    CHECK(strstr(format(CFS_STEP_OVERLAY, "/m", ELOOP), "VirtualBox") == NULL);
    CHECK(
        strstr(format(CFS_STEP_OPTIONS, "", E2BIG), "Linux 6.8 (fsopen(2), overlayfs's lowerdir+)")
        != NULL);
}

static void
data_loss_refusals_say_why(void)
{
    CHECK(strstr(format(CFS_STEP_WORKDIR, "/w", ENOTEMPTY), "empties its work directory") != NULL);
    CHECK(strstr(format(CFS_STEP_WRITABLE, "/w", EROFS), "mounted the root read-only") != NULL);
}

static void
every_step_has_a_name(void)
{
    for (int step = CFS_STEP_NONE; step < CFS_STEP_COUNT; step++)
        CHECK(cfs_step_name(step) != NULL && strcmp(cfs_step_name(step), "unknown step") != 0);
    CHECK_STR(cfs_step_name(CFS_STEP_COUNT), "unknown step");
    CHECK_STR(cfs_step_name(-1), "unknown step");
}

static void
a_long_path_is_cut_not_overflowed(void)
{
    char path[sizeof((cfs_error_t *)0)->path * 2];
    cfs_error_t err;

    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    cfs_set_error(&err, CFS_STEP_PROC, path, ENOENT);
    CHECK(strlen(err.path) == sizeof err.path - 1);
}

int
main(void)
{
    messages_name_step_path_and_errno();
    exec_failures_say_whether_the_command_was_found();
    every_other_step_is_ours_125();
    an_oom_kill_is_137_and_says_so();
    a_stop_at_a_step_is_130_and_says_so();
    a_failed_hook_says_how();
    hints_say_what_to_do_next();
    a_busy_directory_names_the_holder();
    data_loss_refusals_say_why();
    overlay_failures_say_what_the_kernel_said();
    every_step_has_a_name();
    a_long_path_is_cut_not_overflowed();
    return check_summary("test_errors");
}
