package io.containerfs.cli;

import io.containerfs.pull.ImageDirectory;
import io.containerfs.pull.PullException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code --image DIR}: an image pull made, applied to the run form as {@code docker run} applies
 * an image's config. Its layers go under those of the command line; its Env comes before -e and
 * --env-file (a later entry of the same name wins, in the core); its WorkingDir and User stand
 * unless -w or -u say otherwise; the command is Entrypoint then Cmd, where a COMMAND after
 * {@code --} replaces Cmd and {@code --entrypoint} replaces Entrypoint (and, as with docker run,
 * drops Cmd). Only the records the command line fills are filled: the core decides the rest.
 */
final class ImageSpec {
    private ImageSpec() {}

    /** @param entrypoint --entrypoint's value, if given ("" for none) */
    static RunRequest apply(RunRequest request, Path dir, Optional<String> entrypoint) throws UsageException {
        ImageDirectory image;
        try {
            image = ImageDirectory.read(dir);
        } catch (PullException e) {
            throw new UsageException(e.getMessage());
        }
        List<String> layers = new ArrayList<>(image.layers());
        layers.addAll(request.layers());
        List<String> env = new ArrayList<>(image.env());
        env.addAll(request.start().env());
        RunRequest.Command start = request.start();
        Optional<String> cwd = start.cwd().isPresent() ? start.cwd() : workingDir(image, dir);
        Optional<String> user = start.user().isPresent() ? start.user() : image.user();
        return new RunRequest(layers, request.overlayWorkdir(), command(request, image, dir, entrypoint),
                request.isolation(), request.limits(),
                new RunRequest.Command(env, start.envHost(), cwd, user, start.tty(), start.init(), start.step()),
                request.mounts(), request.devices(), request.readOnly(), request.trace());
    }

    private static Optional<String> workingDir(ImageDirectory image, Path dir) throws UsageException {
        if (image.workingDir().isEmpty()) {
            return Optional.empty();
        }
        String given = image.workingDir().get();
        if (!given.startsWith("/") || given.indexOf('\0') >= 0) {
            throw new UsageException("the image " + dir + " has the WorkingDir '" + given + "', not an absolute"
                    + " path; give one with -w");
        }
        return Optional.of(CommandLineSpec.clean(given));
    }

    private static List<String> command(RunRequest request, ImageDirectory image, Path dir,
            Optional<String> entrypoint) throws UsageException {
        List<String> command = new ArrayList<>();
        if (entrypoint.isPresent()) {
            if (!entrypoint.get().isEmpty()) {
                command.add(entrypoint.get());
            }
        } else {
            command.addAll(image.entrypoint());
        }
        if (!request.command().isEmpty()) {
            command.addAll(request.command());
        } else if (entrypoint.isEmpty()) {
            command.addAll(image.cmd());
        }
        if (command.isEmpty()) {
            throw new UsageException("the image " + dir + " has no Entrypoint or Cmd, and no command was given:"
                    + " container-fs --image DIR WRITEDIR -- COMMAND");
        }
        return command;
    }
}
