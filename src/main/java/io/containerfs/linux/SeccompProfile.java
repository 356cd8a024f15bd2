package io.containerfs.linux;

import java.util.List;

/**
 * A seccomp profile in Docker's format, as {@code --security-opt seccomp=FILE} gives it
 * ({@code io.containerfs.cli.SeccompProfileFile} reads it): what a system call no rule names
 * gets, and the rules. The core compiles it into the filter (src/main/c/core/seccomp.c) as it
 * compiles its own default, Docker's allowlist (seccomp_default.c); {@code include/cfs.h}'s
 * {@code struct cfs_seccomp_profile} is the same record.
 *
 * @param defaultAction a {@link Action}'s {@link Action#code()}
 * @param defaultErrno the errno of {@link Action#ERRNO}
 * @param rules in the profile's order
 */
public record SeccompProfile(long defaultAction, long defaultErrno, List<Rule> rules) {

    public SeccompProfile {
        rules = List.copyOf(rules);
    }

    /** What a call gets, numbered as {@code enum cfs_seccomp_action} in include/cfs.h. */
    public enum Action {
        ALLOW,
        ERRNO,
        KILL_THREAD,
        KILL_PROCESS,
        TRAP,
        LOG;

        public long code() {
            return ordinal();
        }
    }

    /** How an argument is compared, numbered as libseccomp's and {@code enum cfs_seccomp_operator}. */
    public enum Operator {
        NE,
        LT,
        LE,
        EQ,
        GE,
        GT,
        /** {@code (argument & value) == valueTwo} */
        MASKED_EQ;

        public long code() {
            return ordinal() + 1;
        }
    }

    /** The architectures a rule names, as bits ({@code CFS_SECCOMP_ARCH_*}). */
    public static final long ARCH_X86_64 = 1;
    public static final long ARCH_AARCH64 = 2;
    public static final long ARCH_OTHER = 4;

    /**
     * Calls by name, and what they get when the rule applies and all its conditions hold.
     *
     * @param names system calls; names the machine's architecture lacks are skipped
     * @param action an {@link Action}'s code
     * @param errnoRet the errno of {@link Action#ERRNO}
     * @param caps applies only when the container keeps every one of these capabilities (bit N: N)
     * @param capsExcluded applies only when it keeps none of these
     * @param arches applies only on one of these architectures ({@code ARCH_*} bits); 0: any
     * @param archesExcluded not on these
     * @param minKernel only from this kernel on, major * 65536 + minor; 0: any
     * @param conditions at most six, all of which must hold
     */
    public record Rule(List<String> names, long action, long errnoRet, long caps, long capsExcluded, long arches,
            long archesExcluded, long minKernel, List<Condition> conditions) {

        public Rule {
            names = List.copyOf(names);
            conditions = List.copyOf(conditions);
        }
    }

    /**
     * A comparison of one argument.
     *
     * @param index the argument, 0 to 5
     * @param operator an {@link Operator}'s code
     * @param value compared with; the mask of {@link Operator#MASKED_EQ}
     * @param valueTwo what {@link Operator#MASKED_EQ} wants to remain
     */
    public record Condition(long index, long operator, long value, long valueTwo) {}
}
