package io.containerfs.pull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pulls an image from an OCI layout or a docker archive: reads and checks its manifest and
 * config, unpacks each layer into the {@link LayerStore} (or finds it there already), and only
 * then fills DIR with what {@link ImageDirectory} reads: {@code config.json}, the image's config
 * as it was, and {@code layers}, the layers' directories, one a line, bottom first. A blob that
 * is not what its digest says stops the pull before anything is in DIR.
 */
final class ImagePull {
    /** The JVM's os.arch to the OCI's (Go's GOARCH) names. */
    private static final Map<String, String> OCI_ARCH = Map.of(
            "amd64", "amd64", "x86_64", "amd64", "aarch64", "arm64", "x86", "386", "i386", "386",
            "arm", "arm", "ppc64le", "ppc64le", "s390x", "s390x", "riscv64", "riscv64");

    private final LayerStore store;
    private final Progress progress;

    ImagePull(LayerStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    static String ociArch(String osArch) {
        return OCI_ARCH.getOrDefault(osArch, osArch);
    }

    /** @return how many layers were unpacked now (the others were in the store already) */
    int pull(ImageSource source, TargetDirectory target, String osArch) throws PullException {
        if (source.transport() == ImageSource.Transport.OCI) {
            return install(new OciLayout(source.path(), ociArch(osArch)).read(source.tag()), target);
        }
        try (DockerArchive archive = new DockerArchive(source.path())) {
            return install(archive.read(), target);
        }
    }

    private int install(Image image, TargetDirectory target) throws PullException {
        List<String> directories = new ArrayList<>();
        int unpacked = 0;
        for (Image.Layer layer : image.layers()) {
            boolean stored = Files.isDirectory(store.directory(layer.diffId()));
            directories.add(store.unpack(layer.blob(), layer.descriptor(), layer.diffId(), layer.size(),
                    layer.name(), progress).toString());
            unpacked += stored ? 0 : 1;
        }
        Path sibling = target.createSibling();
        Interruption.Guard guard = Interruption.guard(sibling);
        boolean installed = false;
        try {
            Files.write(sibling.resolve(ImageDirectory.CONFIG), image.config());
            Files.writeString(sibling.resolve(ImageDirectory.LAYERS),
                    directories.isEmpty() ? "" : String.join("\n", directories) + "\n", StandardCharsets.UTF_8);
            // The sibling is made private (0700); the image is for anyone to read, as its layers are.
            Files.setPosixFilePermissions(sibling, PosixFilePermissions.fromString("rwxr-xr-x"));
            target.install(sibling);
            installed = true;
        } catch (IOException e) {
            throw new PullException("cannot write the image into " + sibling + ": " + e.getMessage(), e);
        } finally {
            if (!installed) {
                TargetDirectory.deleteSibling(sibling);
            }
            guard.close();
        }
        return unpacked;
    }
}
