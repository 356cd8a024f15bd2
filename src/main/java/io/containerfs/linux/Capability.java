package io.containerfs.linux;

import java.util.Locale;

/**
 * Linux capabilities, numbered as {@code <linux/capability.h>} numbers them: the constant's
 * ordinal is the capability's number ({@code CapabilityTest} checks it against the header).
 */
public enum Capability {
    CHOWN,
    DAC_OVERRIDE,
    DAC_READ_SEARCH,
    FOWNER,
    FSETID,
    KILL,
    SETGID,
    SETUID,
    SETPCAP,
    LINUX_IMMUTABLE,
    NET_BIND_SERVICE,
    NET_BROADCAST,
    NET_ADMIN,
    NET_RAW,
    IPC_LOCK,
    IPC_OWNER,
    SYS_MODULE,
    SYS_RAWIO,
    SYS_CHROOT,
    SYS_PTRACE,
    SYS_PACCT,
    SYS_ADMIN,
    SYS_BOOT,
    SYS_NICE,
    SYS_RESOURCE,
    SYS_TIME,
    SYS_TTY_CONFIG,
    MKNOD,
    LEASE,
    AUDIT_WRITE,
    AUDIT_CONTROL,
    SETFCAP,
    MAC_OVERRIDE,
    MAC_ADMIN,
    SYSLOG,
    WAKE_ALARM,
    BLOCK_SUSPEND,
    AUDIT_READ,
    PERFMON,
    BPF,
    CHECKPOINT_RESTORE;

    /** Every capability, as {@code --cap-add ALL} and {@code --cap-drop ALL} mean. */
    public static final long ALL = -1L;

    /** This capability's bit in a set: bit N is capability N. */
    public long bit() {
        return 1L << ordinal();
    }

    /**
     * The set a name means, as capabilities(7) writes it, with or without {@code CAP_}, in any case:
     * {@code SYS_ADMIN}, {@code cap_net_raw}, or {@code ALL} for every capability.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static long parse(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        String bare = upper.startsWith("CAP_") ? upper.substring(4) : upper;
        if (bare.equals("ALL")) {
            return ALL;
        }
        for (Capability c : values()) {
            if (c.name().equals(bare)) {
                return c.bit();
            }
        }
        throw new IllegalArgumentException("unknown capability '" + name + "'; use a name from capabilities(7),"
                + " e.g. SYS_ADMIN or CAP_NET_ADMIN, or ALL");
    }
}
