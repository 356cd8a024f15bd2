package io.containerfs.pull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * What {@code docker save} and {@code podman save --format docker-archive} write: a tar whose
 * {@code manifest.json} lists, per image, its config file, its RepoTags and its layer tars,
 * bottom first. Old docker names them {@code ID/layer.tar} and {@code HEX.json}, podman
 * {@code HEX.tar} and {@code HEX.json}, docker 25 and later {@code blobs/sha256/HEX}. The tar
 * is read in place ({@link TarFile}): nothing is copied out. A config named by its digest is
 * checked against it; each layer's tar against its diff_id in the config, as it streams.
 */
final class DockerArchive implements AutoCloseable {
    /** A config's name that holds its digest: {@code HEX.json} or {@code blobs/sha256/HEX}. */
    private static final Pattern DIGEST_NAME = Pattern.compile("(?:.*/)?(?:sha256:)?([0-9a-f]{64})(?:\\.json)?");

    private final Path file;
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();

    DockerArchive(Path file) throws PullException {
        this.file = file;
        try {
            tar = new TarFile(file);
        } catch (NoSuchFileException e) {
            throw new PullException("cannot open " + file + ": no such file; check the docker-archive: path", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new PullException(file + " is not a readable tar archive (" + e.getMessage() + "); make it with"
                    + " podman save or docker save", e);
        }
        for (TarArchiveEntry entry : tar.getEntries()) {
            entries.put(normalized(entry.getName()), entry);
        }
    }

    private static String normalized(String name) {
        return name.startsWith("./") ? name.substring(2) : name;
    }

    Image read() throws PullException {
        Json manifest = Json.parse(text("manifest.json"), file + ": manifest.json");
        List<Json> images = manifest.list();
        if (images.size() != 1) {
            throw new PullException(file + " holds " + images.size() + " images; pull takes an archive of one"
                    + " (podman save IMAGE > FILE)");
        }
        Json image = images.get(0);
        String configName = image.get("Config").string();
        byte[] config = configBytes(configName);
        List<String> layerNames = Json.strings(image.optional("Layers"));
        List<String> diffIds = Image.diffIds(Json.parse(new String(config, StandardCharsets.UTF_8),
                file + ": " + configName), layerNames.size(), file + ": manifest.json");
        List<Image.Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerNames.size(); i++) {
            TarArchiveEntry entry = entry(layerNames.get(i));
            layers.add(new Image.Layer(() -> new OneReadAtATime(tar.getInputStream(entry), tar), null, diffIds.get(i),
                    entry.getSize(), "the layer " + layerNames.get(i)));
        }
        return new Image(config, layers);
    }

    private byte[] configBytes(String name) throws PullException {
        TarArchiveEntry entry = entry(name);
        if (entry.getSize() > OciLayout.MAX_JSON_BYTES) {
            throw new PullException(file + ": " + name + " is larger than a config can be");
        }
        Matcher digest = DIGEST_NAME.matcher(name);
        try (InputStream in = tar.getInputStream(entry)) {
            if (!digest.matches()) {
                return in.readAllBytes();
            }
            Descriptor named = new Descriptor("", "sha256:" + digest.group(1), entry.getSize());
            return VerifiedStream.readAll(in, named, file + ": " + name);
        } catch (VerifiedStream.Tampered e) {
            throw new PullException(e.getMessage() + ": refusing the image, it was changed or damaged", e);
        } catch (IOException e) {
            throw new PullException("cannot read " + name + " in " + file + ": " + e.getMessage(), e);
        }
    }

    private String text(String name) throws PullException {
        TarArchiveEntry entry = entry(name);
        if (entry.getSize() > OciLayout.MAX_JSON_BYTES) {
            throw new PullException(file + ": " + name + " is larger than a manifest can be");
        }
        try (InputStream in = tar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PullException("cannot read " + name + " in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The regular file {@code name} names in the archive. docker save writes a layer that two
     * images share once, and a symlink to it ({@code ID/layer.tar -> ../OTHER/layer.tar}) in the
     * other's place: a few such links are followed, within the archive, by name only.
     */
    private TarArchiveEntry entry(String name) throws PullException {
        TarArchiveEntry entry = entries.get(normalized(name));
        for (int hops = 0; entry != null && entry.isSymbolicLink() && hops < 8; hops++) {
            entry = entries.get(linkTarget(entry));
        }
        if (entry == null || !entry.isFile()) {
            throw new PullException(file + " has no file " + name + "; it is not a docker archive or is incomplete"
                    + " (make it with podman save --format docker-archive)");
        }
        return entry;
    }

    /** A symlink's target as an archive name: relative to the link's directory, '..' resolved, never above the top. */
    private static String linkTarget(TarArchiveEntry link) {
        String base = normalized(link.getName());
        String dir = base.contains("/") ? base.substring(0, base.lastIndexOf('/') + 1) : "";
        List<String> parts = new ArrayList<>();
        for (String part : (link.getLinkName().startsWith("/") ? link.getLinkName() : dir + link.getLinkName()).split("/")) {
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    @Override
    public void close() {
        try {
            tar.close();
        } catch (IOException e) {
            // Only read from: nothing to lose.
        }
    }

    /**
     * An entry's stream whose reads take turns. TarFile's entry streams share its one channel and
     * each read seeks it, then reads, without a lock: layers read at once (ImagePull unpacks 3)
     * would read each other's bytes, and be refused as not their diff_id.
     */
    private static final class OneReadAtATime extends FilterInputStream {
        private final Object lock;

        OneReadAtATime(InputStream in, Object lock) {
            super(in);
            this.lock = lock;
        }

        @Override
        public int read() throws IOException {
            synchronized (lock) {
                return in.read();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (lock) {
                return in.read(b, off, len);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            synchronized (lock) {
                return in.skip(n);
            }
        }
    }
}
