/* --init's PID 1, the static program src/main/c/init/main.c, carried inside
 * the core (the JNI library and the plain C front end alike). */
#ifndef CFS_INIT_PROGRAM_H
#define CFS_INIT_PROGRAM_H

#include "cfs.h"

/* A sealed, close-on-exec memfd holding the init program, made in the
 * parent before clone(); PID 1 execs it with execveat(2).  Returns the
 * descriptor, or -1 with *err filled. */
int cfs_init_program_open(cfs_error_t *err);

/* PID 1's exec of it: "container-fs-init PID", in the container's own
 * environment.  System calls only.  Returns only on failure, errno set. */
void cfs_exec_init_program(int fd, pid_t command, char *const envp[]);

#endif
