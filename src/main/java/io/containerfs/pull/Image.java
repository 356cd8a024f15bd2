package io.containerfs.pull;

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
