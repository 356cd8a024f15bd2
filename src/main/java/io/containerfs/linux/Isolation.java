package io.containerfs.linux;

import java.util.Optional;

/**
 * How far the container is kept from the host, beyond its namespaces. The default is contained:
 * Docker's default capabilities, the seccomp filter, /proc's kernel files masked or read-only and
 * a random hostname. Each field loosens one thing, as the option of the same name in
 * {@code docker run} does.
 *
 * @param hostname the UTS namespace's hostname; empty for a random 12-hex-digit id
 * @param capAdd capabilities added to the default set ({@link Capability#ALL}: all of them)
 * @param capDrop capabilities dropped from it first
 * @param privileged every capability, no seccomp filter, /proc as the kernel shows it
 * @param noNewPrivileges setuid programs and file capabilities give nothing more
 * @param seccompUnconfined no seccomp filter
 * @param network its own network namespace reaching out through slirp4netns (the default), only
 *     {@code lo} ({@code --network none}) or the host's ({@code --network host}); and {@code -p}
 * @param seccompProfile {@code --security-opt seccomp=FILE}: this profile instead of the default one
 * @param hostPidNamespace the host's pid namespace instead of one of its own ({@code docker run --pid
 *     host}: an OCI config.json without a pid namespace); needs real root
 */
public record Isolation(
        Optional<String> hostname,
        long capAdd,
        long capDrop,
        boolean privileged,
        boolean noNewPrivileges,
        boolean seccompUnconfined,
        Network network,
        Optional<SeccompProfile> seccompProfile,
        boolean hostPidNamespace) {

    /** What a container gets when no option loosens it. */
    public static final Isolation CONTAINED = new Isolation(Optional.empty(), 0, 0, false, false, false,
            Network.PRIVATE, Optional.empty(), false);
}
