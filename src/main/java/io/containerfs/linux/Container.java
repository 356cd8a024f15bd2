package io.containerfs.linux;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@link Native#run} hands the C core for one container, as it goes into {@code args_t}
 * ({@code include/cfs.h}). The layers are as the user gave them: the core resolves them and
 * checks the stack (src/main/c/core/layers.c), and names a layer in its own words.
 *
 * @param lowers the read-only layers, bottom to top
 * @param upper WRITEDIR; empty for {@code --read-only}, where every layer is a lower one
 * @param overlayWorkdir overlayfs's work directory; empty for a new one beside WRITEDIR
 * @param tmpdir the directory the overlay is mounted over, in the container's mount namespace only
 * @param command the command and its arguments
 * @param mounts {@code -v} and {@code --tmpfs}, made in this order
 * @param devices {@code --device}: host devices made in the container's /dev and allowed
 * @param bundle an OCI bundle's container, whose root is used as it is instead of the layers, or
 *     empty for the overlay
 */
public record Container(
        List<String> lowers,
        Optional<String> upper,
        Optional<String> overlayWorkdir,
        String tmpdir,
        List<String> command,
        Isolation isolation,
        Limits limits,
        Execution execution,
        List<Mount> mounts,
        List<Device> devices,
        boolean trace,
        Optional<Bundle> bundle) {

    /**
     * An OCI bundle's container (docs/OCI.md): its root filesystem, pivoted into as it is, bound
     * onto itself, with no overlay; the exec FIFO of {@code create}, whose child waits on it for
     * {@code start} and outlives this call, or empty for {@code run}, which waits; the file the core
     * writes the container's pid to (for {@code exec}, the new process's; empty: none); the
     * container's id, which names its cgroup unless
     * {@code cgroupsPath} does; the process's rlimits and umask (-1: none); masked and read-only
     * paths beyond the core's own lists; namespaced sysctls; the namespaces to join, by their
     * type as linux.namespaces names it ({@code network} with {@link Network.Mode#JOIN},
     * {@code ipc}, {@code uts}, {@code cgroup}) and path; the device cgroup's rules beyond the
     * core's defaults (linux.resources.devices); for a terminal ({@link Execution#tty}), the engine's
     * console socket its master is sent to (empty: relayed to ours) and its rows and columns
     * (process.consoleSize; 0: not given); the process's five capability sets, which replace the
     * isolation's default set, capAdd and capDrop; whether it gets a cgroup namespace; the hooks
     * that run before exec (the others are the front end's to run, through
     * {@link Native#runHooks}) and the state's members they are given besides ociVersion, status
     * and pid; process.oomScoreAdj when {@code oomScoreAdjGiven}; and, for a user namespace of its
     * own, its uid_map and gid_map as /proc takes them (empty: none made).
     */
    public record Bundle(String rootfs, boolean readOnly, Optional<String> execFifo, Optional<String> pidFile, String id,
            List<Rlimit> rlimits, int umask, Optional<String> cgroupsPath, List<String> maskedPaths,
            List<String> readonlyPaths, Map<String, String> sysctl, Map<String, String> namespacePaths,
            Optional<String> consoleSocket, int consoleHeight, int consoleWidth, Capabilities capabilities,
            boolean cgroupNamespace, List<Hook> hooks, String hookState, boolean oomScoreAdjGiven,
            int oomScoreAdj, Optional<String> uidMap, Optional<String> gidMap, List<Device.Rule> deviceRules) {
        public Bundle {
            namespacePaths = Map.copyOf(namespacePaths);
            deviceRules = List.copyOf(deviceRules);
            hooks = List.copyOf(hooks);
            rlimits = List.copyOf(rlimits);
            maskedPaths = List.copyOf(maskedPaths);
            readonlyPaths = List.copyOf(readonlyPaths);
            sysctl = Map.copyOf(sysctl);
        }
    }

    /** A container on an overlay of the layers. */
    public Container(List<String> lowers, Optional<String> upper, Optional<String> overlayWorkdir, String tmpdir,
            List<String> command, Isolation isolation, Limits limits, Execution execution, List<Mount> mounts,
            List<Device> devices, boolean trace) {
        this(lowers, upper, overlayWorkdir, tmpdir, command, isolation, limits, execution, mounts, devices, trace,
                Optional.empty());
    }

    public Container {
        lowers = List.copyOf(lowers);
        command = List.copyOf(command);
        mounts = List.copyOf(mounts);
        devices = List.copyOf(devices);
    }

    /** A container of these layers with every default: how tests and embedders start one. */
    public static Container of(List<String> lowers, String upper, String tmpdir, List<String> command) {
        return new Container(lowers, Optional.of(upper), Optional.empty(), tmpdir, command, Isolation.CONTAINED,
                Limits.NONE, Execution.DEFAULT, List.of(), List.of(), false);
    }
}
