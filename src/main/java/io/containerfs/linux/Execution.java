package io.containerfs.linux;

import java.util.List;
import java.util.Optional;

/**
 * How the command is started inside the container, with {@code docker run}'s options.
 *
 * @param env {@code NAME=VALUE} entries added to the clean environment, each replacing a
 *     variable of the same name ({@code -e}, {@code --env-file})
 * @param envHost start from container-fs's own environment instead of the clean one
 *     ({@code --env-host})
 * @param home {@code HOME} in the clean environment: the user's, from the container's
 *     {@code /etc/passwd}; empty for {@code /root}
 * @param cwd the command's directory, made if missing ({@code -w}); empty for {@code /}
 * @param user the user to become ({@code -u}); empty for root
 * @param tty a pseudo-terminal of its own, relayed to ours ({@code -t})
 * @param init a tiny init as PID 1 that forwards signals and reaps orphans ({@code --init})
 * @param step pause before each step's system call until Enter on the terminal ({@code --step})
 */
public record Execution(
        List<String> env,
        boolean envHost,
        Optional<String> home,
        Optional<String> cwd,
        Optional<User> user,
        boolean tty,
        boolean init,
        boolean step) {

    /** root in the clean environment, in {@code /}, the command as PID 1, the caller's terminal. */
    public static final Execution DEFAULT =
            new Execution(List.of(), false, Optional.empty(), Optional.empty(), Optional.empty(), false, false,
                    false);

    public Execution {
        env = List.copyOf(env);
    }

    /** A user by number, as the container's /etc/passwd and /etc/group name it. */
    public record User(int uid, int gid, List<Integer> groups) {
        public User {
            groups = List.copyOf(groups);
        }
    }
}
