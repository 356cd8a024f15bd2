/* --step, the child's side (step.h): a pause armed before a step, made by
 * the step's next call through trace.c, which waits for the parent's
 * go-ahead.  System calls only: the child runs this between clone and exec.
 * Apart from step.c, the parent's side, so that trace.c needs no more. */
#include <errno.h>
#include <unistd.h>

#include "step.h"

/* The child's own copy (no CLONE_VM under --step): its pipe ends and the
 * pause armed, if any.  Never written without --step. */
static int child_messages = -1, child_go = -1;
static int armed = CFS_PAUSE_NONE;

void
cfs_step_child_start(const struct cfs_stepper *stepper)
{
    child_messages = stepper->messages[1];
    child_go = stepper->go[0];
    close(stepper->messages[0]);
    close(stepper->go[1]);
    close(stepper->tty);
}

int
cfs_pause(const args_t *args, enum cfs_pause pause)
{
    if (args->step)
        armed = pause;
    return 0;
}

int
cfs_pause_armed(void)
{
    return armed != CFS_PAUSE_NONE;
}

/* Sends the pause and the call, then blocks until the go-ahead.  When the
 * user stops, the parent kills us here. */
void
cfs_pause_now(const char *call, size_t len)
{
    struct cfs_pause_message m
        = { .pause = armed, .len = (int)(len > CFS_PAUSE_CALL_MAX ? CFS_PAUSE_CALL_MAX : len) };
    int saved = errno;
    char go;

    armed = CFS_PAUSE_NONE;
    if (write(child_messages, &m, sizeof m) != (ssize_t)sizeof m
        || write(child_messages, call, (size_t)m.len) != (ssize_t)m.len)
        return;
    while (read(child_go, &go, 1) < 0 && errno == EINTR) {
    }
    errno = saved;
}
