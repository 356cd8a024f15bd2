package io.containerfs.pull;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Real images, built offline by podman from the Alpine mini root filesystem into a podman
 * storage of their own (vfs driver) under {@code work}: {@code localhost/test:1} (FROM scratch,
 * ADD the tarball, then layers that add a file, delete one and replace a directory, with ENV,
 * WORKDIR, USER, ENTRYPOINT and CMD) and {@code localhost/second:1}, one layer more on it.
 * ImagePullIT and RegistryPullIT pull them from where they copy them.
 */
final class TestImages {
    private final Path work;

    private TestImages(Path work) {
        this.work = work;
    }

    /** Builds both images; {@code work} should be short (podman refuses a runroot longer than 50 characters). */
    static TestImages build(Path work) throws IOException {
        TestImages images = new TestImages(work);
        Path context = Files.createDirectory(work.resolve("context"));
        Files.copy(Fixtures.alpineTarball(), context.resolve(Fixtures.TARBALL));
        Files.writeString(context.resolve("added.txt"), "added\n");
        Files.writeString(context.resolve("second.txt"), "second\n");
        Files.writeString(context.resolve("Containerfile"), """
                FROM scratch
                ADD %s /
                RUN mkdir -p /data/old && echo old > /data/old/a && echo keep > /data/keep && echo doomed > /etc/doomed
                COPY added.txt /added.txt
                RUN rm /etc/doomed && rm -rf /data/old && mkdir /data/old && echo new > /data/old/b
                ENV GREETING=hello PATH=/usr/local/bin:/usr/bin:/bin
                WORKDIR /data
                USER nobody
                ENTRYPOINT ["/bin/echo", "entry"]
                CMD ["default", "cmd"]
                """.formatted(Fixtures.TARBALL));
        Files.writeString(context.resolve("Second"), """
                FROM localhost/test:1
                COPY second.txt /second.txt
                """);
        images.podman("build", "--isolation", "chroot", "-t", "localhost/test:1", context.toString());
        images.podman("build", "--isolation", "chroot", "-f", context.resolve("Second").toString(), "-t",
                "localhost/second:1", context.toString());
        return images;
    }

    Path context() {
        return work.resolve("context");
    }

    /** podman on this storage. */
    void podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman", "--root", work.resolve("root").toString(),
                "--runroot", work.resolve("runroot").toString(), "--storage-driver", "vfs", "--cgroup-manager",
                "cgroupfs", "--events-backend", "none"));
        command.addAll(List.of(args));
        check(Commands.run(null, null, command));
    }

    /** skopeo's name of an image in this storage. */
    String storage(String image) {
        return "containers-storage:[vfs@" + work.resolve("root") + "+" + work.resolve("runroot") + "]" + image;
    }

    static Commands.Result check(Commands.Result r) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("building the test images failed: " + r);
        }
        return r;
    }
}
