/* The OCI runtime's calls the launcher answers without a JVM (oci.c). */
#ifndef CFS_LAUNCHER_OCI_H
#define CFS_LAUNCHER_OCI_H

/* When ARGV is runc's state, start, kill, delete or list (after its global
 * options): runs it, sets *STATUS to its exit status and returns 1.  Any
 * other command: 0, and the launcher runs the JVM. */
int oci_fast_call(int argc, char **argv, int *status);

#endif
