package io.containerfs.linux;

import java.util.List;

/**
 * The container's network ({@code --network}, {@code -p}).
 *
 * @param mode whose network the container is on
 * @param ports {@code -p}: the host's ports forwarded to the container's, with {@link Mode#PRIVATE} only
 */
public record Network(Mode mode, List<PublishedPort> ports) {

    /**
     * {@code enum cfs_network} of {@code include/cfs.h}: the same names in the same order, so a mode
     * crosses JNI as its number ({@code StepTest} checks that the two lists agree).
     */
    public enum Mode {
        /** A network namespace of its own, reaching out through slirp4netns: the default. */
        PRIVATE,
        /** A network namespace of its own with only {@code lo}. */
        NONE,
        /** The host's network. */
        HOST,
        /** An existing network namespace, an OCI engine's (Container.Bundle's netnsPath). */
        JOIN
    }

    /**
     * One {@code -p [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]}.
     *
     * @param hostAddress the host's IPv4 address to listen on, as a 32-bit number (0: every address)
     * @param hostPort 1 to 65535
     * @param containerPort 1 to 65535
     * @param udp UDP rather than TCP
     */
    public record PublishedPort(int hostAddress, int hostPort, int containerPort, boolean udp) {}

    /** What a container gets when no option says otherwise. */
    public static final Network PRIVATE = new Network(Mode.PRIVATE, List.of());

    public Network {
        ports = List.copyOf(ports);
    }
}
