package io.containerfs.layer;

import java.util.List;
import java.util.Optional;

/**
 * Validated layers, as real paths: the read-only lower layers bottom to top, the writable upper
 * layer (WRITEDIR; none with --read-only), and the overlayfs work directory the user chose, if
 * any.
 */
public record LayerStack(List<String> lowers, Optional<String> upper, Optional<String> workdir) {
    public LayerStack {
        lowers = List.copyOf(lowers);
    }
}
