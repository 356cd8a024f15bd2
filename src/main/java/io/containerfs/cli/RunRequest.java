package io.containerfs.cli;

import io.containerfs.linux.Device;
import io.containerfs.linux.Isolation;
import io.containerfs.linux.Limits;
import io.containerfs.linux.Mount;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The run form, parsed: {@code layers} as the user wrote them, bottom to top with the writable one
 * last (or, with
 * {@code readOnly}, all of them lower layers), overlayfs's work directory if one was chosen, the
 * command with its arguments, untouched, how the container is kept from the host, what it may use,
 * how the command starts, what is mounted in it and which host devices it gets.
 */
public record RunRequest(
        List<String> layers,
        Optional<Path> overlayWorkdir,
        List<String> command,
        Isolation isolation,
        Limits limits,
        Command start,
        List<Mount> mounts,
        List<Device> devices,
        boolean readOnly,
        boolean trace) {
    public RunRequest {
        layers = List.copyOf(layers);
        command = List.copyOf(command);
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
    }

    /**
     * How the command starts, as given: the user is resolved later, in the container's own
     * /etc/passwd (io.containerfs.layer.ContainerUser).
     *
     * @param env NAME=VALUE entries from --env-file, then -e
     */
    public record Command(
            List<String> env, boolean envHost, Optional<String> cwd, Optional<String> user, boolean tty,
            boolean init, boolean step) {
        public Command {
            env = List.copyOf(env);
        }
    }
}
