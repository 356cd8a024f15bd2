package io.containerfs.oci;

import io.containerfs.linux.Native;
import io.containerfs.linux.OciStateException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One container's state under {@code --root}, as the core reads it (core/oci_state.c, which says
 * what ROOT/ID holds and how the status is told from /proc): the same code the launcher runs for
 * {@code state}, {@code start}, {@code kill}, {@code delete} and {@code list} without a JVM.
 *
 * @param json the runtime spec's state document, as {@code state} prints it
 */
record OciState(String id, String status, int pid, String bundle, String rootfs, Optional<String> cgroupsPath,
        String json) {
    static final String CREATED = "created";
    static final String RUNNING = "running";
    static final String STOPPED = "stopped";

    static OciState load(Path root, String id) throws OciException {
        try {
            String[] f = Native.ociState(root.toString(), id);
            return new OciState(id, f[0], Integer.parseInt(f[1]), f[2], f[3],
                    Optional.of(f[4]).filter(p -> !p.isEmpty()), f[5]);
        } catch (OciStateException e) {
            throw new OciException(e.getMessage());
        }
    }
}
