package io.containerfs.pull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw new PullException(file + " is larger than " + MAX_JSON_BYTES + " bytes; not an image index");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
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

            @Override
            public LayerStore.Blob layer(Descriptor layer) {
                Path file = blob(layer);
                return () -> Files.newInputStream(file);
            }
        });
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
        try (InputStream in = Files.newInputStream(blob(d))) {
            return VerifiedStream.readAll(in, d, what);
        } catch (VerifiedStream.Tampered e) {
            throw new PullException(e.getMessage() + ": refusing the image, it was changed or damaged", e);
        } catch (NoSuchFileException e) {
            throw new PullException(layout + " lacks the blob " + d.digest() + " (" + what + "); the layout is incomplete", e);
        } catch (IOException e) {
            throw new PullException("cannot read " + blob(d) + ": " + e.getMessage(), e);
        }
    }
}
