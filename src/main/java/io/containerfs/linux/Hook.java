package io.containerfs.linux;

import java.util.List;

/**
 * One of config.json's hooks (the runtime spec's config.md, "POSIX-platform Hooks"): a program the
 * core runs with the container's state JSON on its stdin (src/main/c/core/hooks.c).
 *
 * @param phase when it runs, and so where (docs/OCI.md, "Hooks")
 * @param path the program, an absolute path
 * @param args its argv, argv[0] included (the path when config.json gives none)
 * @param env its whole environment, NAME=VALUE
 * @param timeout seconds before it is killed and counts as failed; 0: no timeout
 */
public record Hook(Phase phase, String path, List<String> args, List<String> env, int timeout) {
    /** When a hook runs; crosses JNI as its ordinal, {@code enum cfs_hook_phase}'s number. */
    public enum Phase {
        PRESTART,
        CREATE_RUNTIME,
        CREATE_CONTAINER,
        START_CONTAINER,
        POSTSTART,
        POSTSTOP
    }

    public Hook {
        args = List.copyOf(args);
        env = List.copyOf(env);
    }
}
