/* The plain C front end: the course's container-template.c, finished.  Read
 * it beside the template; the steps are numbered as docs/TEACHING.md numbers
 * them.
 *
 *   sudo ./container-fs [--trace] [--step] [--overlay-workdir DIR] [--network private|none|host]
 *                       LAYER... WRITEDIR -- COMMAND [ARG...]
 *
 * It parses the command line into args_t, calls the core and exits with the
 * status the core returns.  The core checks the layers and words every
 * failure, so both front ends say the same line; `java -jar
 * container-fs.jar` has the other options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"

#define SEPARATOR "--"

static int
usage(const char *problem)
{
    fprintf(stderr,
            "container-fs: %s; usage: container-fs [--trace] [--step] [--overlay-workdir DIR] "
            "[--network private|none|host] LAYER... WRITEDIR -- COMMAND [ARG...]\n",
            problem);
    return CFS_EXIT_FAILED;
}

int
main(int argc, char **argv)
{
    args_t args = { .argc = 0 };
    cfs_error_t err;
    char message[CFS_MESSAGE_MAX];
    const char *tmpdir = getenv("TMPDIR");
    int first = 1, sep, status;

    /* Step 1: the arguments.  The layers stand between our options and
     * "--"; the command and its arguments follow "--".  The core checks
     * the layers (layers.c), so a mistake reads as it does from the jar. */
    for (; first < argc; first++) {
        if (strcmp(argv[first], "--trace") == 0)
            args.trace = 1;
        else if (strcmp(argv[first], "--step") == 0)
            args.step = 1; /* the core pauses before each step (step.c) */
        else if (strcmp(argv[first], "--overlay-workdir") == 0 && first + 1 < argc)
            args.workdir = argv[++first];
        else if (strcmp(argv[first], "--network") == 0 && first + 1 < argc) {
            /* The default is the private network (zero); the jar names the same three. */
            const char *mode = argv[++first];

            if (strcmp(mode, "none") == 0)
                args.network = CFS_NETWORK_NONE;
            else if (strcmp(mode, "host") == 0)
                args.network = CFS_NETWORK_HOST;
            else if (strcmp(mode, "private") != 0 && strcmp(mode, "bridge") != 0)
                return usage("--network takes private, none or host");
        } else
            break;
    }
    sep = first;
    while (sep < argc && strcmp(argv[sep], SEPARATOR) != 0)
        sep++;
    if (sep == argc)
        return usage("missing '--' between the layers and the command");
    if (sep - first < 2)
        return usage("need at least two layers before '--': the last one is the writable WRITEDIR");
    if (sep + 1 == argc)
        return usage("no command after '--'");

    /* Step 2: args_t.  Pointer arithmetic, as the template does: the lower
     * layers are argv + first, WRITEDIR the word before "--", and the
     * command argv + sep + 1, already NULL-terminated by the C runtime
     * (argv[argc] is NULL), as execvp wants it. */
    args.lowers = (const char *const *)argv + first;
    args.nlowers = sep - first - 1;
    args.upper = argv[sep - 1];
    args.argv = argv + sep + 1;
    args.argc = argc - sep - 1;
    args.tmpdir = tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp";

    /* Steps 3 to 6 happen in the core: it mounts the overlay and the kernel
     * filesystems in a new namespace, execs the command, waits for it and
     * removes the directories it made.  Its status is the shell's. */
    status = cfs_run_container(&args, &err);
    if (err.step != CFS_STEP_NONE) {
        cfs_format_error(&err, message, sizeof message);
        fprintf(stderr, "container-fs: %s\n", message);
    }
    return status;
}
