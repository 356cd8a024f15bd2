package io.containerfs.pull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An image as a source holds it, checked as far as reading it goes: its config's bytes (verified
 * against their digest) and its layers, bottom first, each with the diff_id the config gives it.
 */
record Image(byte[] config, List<Layer> layers) {
    /**
     * @param descriptor the blob's digest and size, or null when the source names only the diff_id
     * @param size the blob's size in bytes, for the limits and the progress
     */
    record Layer(LayerStore.Blob blob, Descriptor descriptor, String diffId, long size, String name) {}

    /** Where a manifest's blobs are read from: an OCI layout's files, a registry. */
    interface Blobs {
        /** The config's bytes, checked against its descriptor. */
        byte[] config(Descriptor descriptor) throws PullException;

        /** The layer's blob, to be opened (and checked as it streams) when it is unpacked. */
        LayerStore.Blob layer(Descriptor descriptor) throws PullException;
    }

    /**
     * The image an OCI or Docker v2 schema 2 manifest describes: its config read and checked,
     * its layers' blobs named, each with its diff_id.
     *
     * @param what the manifest, for messages
     */
    static Image of(Json manifest, String what, Blobs blobs) throws PullException {
        Descriptor configDescriptor = Descriptor.of(manifest.get("config"));
        byte[] config = blobs.config(configDescriptor);
        List<Json> entries = manifest.get("layers").list();
        List<String> diffIds = diffIds(Json.parse(new String(config, StandardCharsets.UTF_8),
                "the config " + configDescriptor.digest()), entries.size(), what);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Descriptor layer = Descriptor.of(entries.get(i));
            layers.add(new Layer(blobs.layer(layer), layer, diffIds.get(i), layer.size(), "the layer " + layer.digest()));
        }
        return new Image(config, layers);
    }

    /** The config's rootfs.diff_ids, checked against the number of layers the manifest lists. */
    static List<String> diffIds(Json config, int layers, String source) throws PullException {
        Json rootfs = config.get("rootfs");
        List<String> ids = Json.strings(rootfs.optional("diff_ids"));
        if (ids.size() != layers) {
            throw new PullException(source + " lists " + layers + " layers but its config " + ids.size()
                    + " diff_ids; the image is damaged");
        }
        for (String id : ids) {
            Descriptor.checkedDigest(id);
        }
        return ids;
    }
}
