package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout (image-spec image-layout.md): {@code index.json} names manifests (or
 * indexes of them) by digest, each a blob in {@code blobs/sha256/HEX}, as are the config and the
 * layers. Every blob read is checked against the digest and size that name it.
 */
final class OciLayout {
    static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST_TYPE = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    /** Far more than any manifest or config needs: a blob that claims more is refused before it is read. */
    static final long MAX_JSON_BYTES = 8L << 20;

    private final Path layout;
    private final Platform platform;

    /** @param platform the image to take from a multi-platform index */
    OciLayout(Path layout, Platform platform) {
        this.layout = layout;
        this.platform = platform;
    }

    Image read(Optional<String> tag) throws PullException {
        Json index = Json.parse(readIndex(), layout.resolve("index.json").toString());
        Descriptor manifest = choose(index.get("manifests").list(), tag, "index.json");
        // An index in the index: a multi-platform image; pick this machine's platform.
        for (int depth = 0; isIndex(manifest) && depth < 4; depth++) {
            Json nested = Json.parse(blobText(manifest), manifest.digest());
            manifest = choose(nested.get("manifests").list(), Optional.empty(), manifest.digest());
        }
        return image(manifest);
    }

    private String readIndex() throws PullException {
        Path file = layout.resolve("index.json");
        try {
            regularFile(file, "the image index");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) MAX_JSON_BYTES + 1);
                if (bytes.length > MAX_JSON_BYTES) {
                    throw new PullException(file + " is larger than " + MAX_JSON_BYTES + " bytes; not an image index");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (NoSuchFileException e) {
            throw new PullException(layout + " is not an OCI image layout: it has no index.json (make one with"
                    + " skopeo copy ... oci:" + layout + ")", e);
        } catch (IOException e) {
            throw new PullException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isIndex(Descriptor d) {
        return d.mediaType().equals(INDEX_TYPE) || d.mediaType().equals(DOCKER_LIST_TYPE);
    }

    /** The manifest named TAG, or this machine's platform's, or the only one. */
    private Descriptor choose(List<Json> manifests, Optional<String> tag, String where) throws PullException {
        List<Descriptor> fitting = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Json entry : manifests) {
            Optional<String> name = Optional.empty();
            Optional<Json> annotations = entry.optional("annotations");
            if (annotations.isPresent()) {
                name = annotations.get().optionalString(REF_NAME);
            }
            name.ifPresent(names::add);
            if (tag.isPresent() ? name.equals(tag) : platform.fits(entry)) {
                fitting.add(Descriptor.of(entry));
            }
        }
        if (fitting.size() == 1) {
            return fitting.get(0);
        }
        if (tag.isPresent()) {
            throw new PullException(layout + " has " + (fitting.isEmpty() ? "no" : "several") + " images tagged '"
                    + tag.get() + "'" + (names.isEmpty() ? "" : "; its tags: " + String.join(", ", names)));
        }
        if (fitting.isEmpty()) {
            throw new PullException(where + " in " + layout + " has no image for " + platform);
        }
        throw new PullException(layout + " holds several images; name one: oci:" + layout + ":TAG"
                + (names.isEmpty() ? "" : " (its tags: " + String.join(", ", names) + ")"));
    }

    private Image image(Descriptor manifestDescriptor) throws PullException {
        String what = "the manifest " + manifestDescriptor.digest();
        return Image.of(Json.parse(blobText(manifestDescriptor), what), what, new Image.Blobs() {
            @Override
            public byte[] config(Descriptor config) throws PullException {
                return blobBytes(config, "the config " + config.digest());
            }

            /**
             * The layer's file, checked to be as long as its descriptor says before it is read: the
             * cap on what it unpacks to is 20 times that size, which a manifest could otherwise raise
             * at will, the lie found only at the end of the blob, with the layer unpacked.
             */
            @Override
            public LayerStore.Blob layer(Descriptor layer) throws PullException {
                Path file = blob(layer);
                String what = "the layer " + layer.digest();
                try {
                    long size = regularFile(file, what).size();
                    if (size != layer.size()) {
                        throw new PullException(what + " has " + size + " bytes, not the " + layer.size()
                                + " its descriptor says: refusing the image, it was changed or damaged");
                    }
                } catch (NoSuchFileException e) {
                    throw new PullException(layout + " lacks the blob " + layer.digest() + " (" + what
                            + "); the layout is incomplete", e);
                } catch (IOException e) {
                    throw new PullException("cannot read " + file + ": " + e.getMessage(), e);
                }
                return () -> Files.newInputStream(file);
            }
        });
    }

    /**
     * The file's attributes, through a symlink, if it is a regular file: a FIFO would block the
     * pull for ever at its open(2), and a device such as /dev/zero never ends.
     */
    private static BasicFileAttributes regularFile(Path file, String what) throws IOException, PullException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new PullException(file + " is not a regular file (" + what + "); the layout is damaged");
        }
        return attributes;
    }

    private Path blob(Descriptor d) {
        return layout.resolve("blobs").resolve("sha256").resolve(d.hex());
    }

    private String blobText(Descriptor d) throws PullException {
        return new String(blobBytes(d, "the blob " + d.digest()), StandardCharsets.UTF_8);
    }

    private byte[] blobBytes(Descriptor d, String what) throws PullException {
        if (d.size() > MAX_JSON_BYTES) {
            throw new PullException(what + " claims " + d.size() + " bytes, more than a manifest or config can be");
        }
        try {
            regularFile(blob(d), what);
            try (InputStream in = Files.newInputStream(blob(d))) {
                return VerifiedStream.readAll(in, d, what);
            }
        } catch (VerifiedStream.Tampered e) {
            throw new PullException(e.getMessage() + ": refusing the image, it was changed or damaged", e);
        } catch (NoSuchFileException e) {
            throw new PullException(layout + " lacks the blob " + d.digest() + " (" + what + "); the layout is incomplete", e);
        } catch (IOException e) {
            throw new PullException("cannot read " + blob(d) + ": " + e.getMessage(), e);
        }
    }
}
