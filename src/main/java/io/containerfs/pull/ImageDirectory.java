package io.containerfs.pull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An image as pull leaves it in DIR, for {@code container-fs --image DIR}: {@code config.json},
 * the image's config (image-spec config.md: its {@code config} member holds Env, WorkingDir,
 * User, Entrypoint and Cmd), and {@code layers}, the absolute paths of its layers' directories in
 * the layer store, one a line, bottom first. Only read here: what to do with it is the run's.
 */
public record ImageDirectory(
        List<String> layers, List<String> env, Optional<String> workingDir, Optional<String> user,
        List<String> entrypoint, List<String> cmd) {
    public static final String CONFIG = "config.json";
    public static final String LAYERS = "layers";

    public ImageDirectory {
        layers = List.copyOf(layers);
        env = List.copyOf(env);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
    }

    /** @throws PullException with one line that says what is wrong with DIR */
    public static ImageDirectory read(Path dir) throws PullException {
        String config = text(dir, CONFIG);
        List<String> layers = new ArrayList<>();
        for (String line : text(dir, LAYERS).split("\n")) {
            if (!line.isEmpty()) {
                layers.add(line);
            }
        }
        if (layers.isEmpty()) {
            throw new PullException(dir.resolve(LAYERS) + " lists no layer; pull the image again");
        }
        Json image = Json.parse(config, dir.resolve(CONFIG).toString());
        Optional<Json> run = image.optional("config");
        if (run.isEmpty()) {
            return new ImageDirectory(layers, List.of(), Optional.empty(), Optional.empty(), List.of(), List.of());
        }
        Json c = run.get();
        return new ImageDirectory(layers, Json.strings(c.optional("Env")), c.optionalString("WorkingDir"),
                c.optionalString("User"), Json.strings(c.optional("Entrypoint")), Json.strings(c.optional("Cmd")));
    }

    private static String text(Path dir, String name) throws PullException {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new PullException("'" + dir + "' is not an image: it has no " + name + "; make one with"
                    + " container-fs pull oci:LAYOUT DIR or docker-archive:FILE DIR", e);
        } catch (IOException e) {
            throw new PullException("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }
}
