package io.containerfs.oci;

import io.containerfs.cli.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calls the launcher ({@code bin/container-fs}) trains the class archive of the OCI runtime
 * on, once per jar and JVM: in one JVM, what an engine asks of a container — {@code create} of a
 * bundle, {@code state}, {@code start}, {@code kill}, {@code delete} — on a real container whose
 * root is an empty directory and whose program does not exist, so the archive holds the
 * config.json parser, the records and the core's loader as a {@code create} from Podman or
 * containerd loads them. Its state lives under DIR, its container is deleted before it ends.
 *
 * <p>Usage: {@code java -cp container-fs.jar io.containerfs.oci.OciTraining DIR}, DIR a directory
 * it may fill (the launcher removes it). The exit status is create's.
 */
public final class OciTraining {
    private OciTraining() {}

    /** Halts, so the JVM writes the archive it was started to write, whatever the calls did. */
    public static void main(String[] args) {
        int status = 125;
        try {
            if (args.length != 1) {
                throw new IllegalArgumentException("usage: OciTraining DIR");
            }
            status = createStartDelete(Path.of(args[0]));
        } catch (IOException | RuntimeException | LinkageError e) {
            System.err.println("container-fs: the OCI training failed: " + e); // the launcher drops it
        }
        Runtime.getRuntime().halt(status);
    }

    /** One container's life under DIR/state, on the bundle DIR/bundle; returns create's status. */
    static int createStartDelete(Path dir) throws IOException {
        Path bundle = trainingBundle(dir);
        String root = dir.resolve("state").toString();
        String id = "container-fs-training-" + ProcessHandle.current().pid();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        Main oci = new Main(quiet, quiet); // the path a user's call takes
        try {
            int created = oci.run(new String[] {"--root", root, "create", "--bundle", bundle.toString(), id});
            oci.run(new String[] {"--root", root, "state", id});
            oci.run(new String[] {"--root", root, "start", id});
            oci.run(new String[] {"--root", root, "kill", id, "KILL"});
            return created;
        } finally {
            oci.run(new String[] {"--root", root, "delete", "--force", id});
        }
    }

    /** {@code spec}'s config.json, with no terminal, a writable root and a program that is not there. */
    static Path trainingBundle(Path dir) throws IOException {
        Path bundle = dir.resolve("bundle");
        for (String mountPoint : new String[] {"proc", "dev", "sys"}) {
            Files.createDirectories(bundle.resolve("rootfs").resolve(mountPoint));
        }
        String config = DefaultSpec.config().replace("\"terminal\": true", "\"terminal\": false")
                .replace("\"readonly\": true", "\"readonly\": false")
                .replace("\"sh\"", "\"/nonexistent\"");
        Files.writeString(bundle.resolve("config.json"), config, StandardCharsets.UTF_8);
        return bundle;
    }
}
