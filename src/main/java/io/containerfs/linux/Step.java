package io.containerfs.linux;

/**
 * The steps that build a container, in the order they run: {@code enum cfs_step} of
 * {@code include/cfs.h}, the same names in the same order, so a step crosses JNI as its
 * number ({@code StepTest} checks that the two lists agree).
 */
public enum Step {
    NONE,
    ROOTLESS,
    LAYERS,
    LOCK,
    MOUNTPOINT,
    WORKDIR,
    OPTIONS,
    CGROUP,
    PREPARE,
    CLONE,
    ID_MAP,
    WATCHDOG,
    NET_STACK,
    PARENT,
    SETNS,
    JOIN_CGROUP,
    NETWORK,
    PRIVATE,
    OVERLAY,
    WRITABLE,
    ENTER,
    PROC,
    DEV,
    SYS,
    SYSCTL,
    KERNEL_FILES,
    MOUNTS,
    PIVOT,
    HOSTNAME,
    CWD,
    SIGNALS,
    LIMITS,
    STDIO,
    TTY,
    FDS,
    START,
    NO_NEW_PRIVS,
    SECCOMP,
    USER,
    CAPABILITIES,
    INIT,
    EXEC,
    LOADER,
    WAIT,
    OOM,
    TERMINAL,
    STOPPED,
    HOOK;

    private static final Step[] ALL = values();

    /** The step a number from C names; {@link #NONE} for one this build does not know. */
    static Step of(int number) {
        return number >= 0 && number < ALL.length ? ALL[number] : NONE;
    }
}
