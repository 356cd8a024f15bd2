package io.containerfs.cli;

import io.containerfs.linux.Isolation;
import io.containerfs.linux.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The run form, parsed: {@code layers} bottom to top with the writable one last, the work
 * directory if one was chosen, the command with its arguments, untouched, how the container is
 * kept from the host, and what it may use.
 */
public record RunRequest(
        List<Path> layers,
        Optional<Path> workdir,
        List<String> command,
        Isolation isolation,
        Limits limits,
        boolean trace) {
    public RunRequest {
        layers = List.copyOf(layers);
        command = List.copyOf(command);
    }
}
