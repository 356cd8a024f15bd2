package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerfs.testing.Commands;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on the default private network leaves the host's mounts alone, even under a shared mount
 * such as /run/netns, where `ip netns` and podman keep their network namespaces: slirp4netns's
 * --enable-sandbox unmounts its old root in a mount namespace it makes itself, whose unmounts
 * reached the host's peers until container-fs gave it one of slave mounts (network.c).
 */
@Privileged
class HostNetnsMountsIT {
    @TempDir
    Path tmp;

    @Test
    void aNetworkNamespaceMountUnderASharedMountOutlivesARun() throws IOException {
        Path shared = Files.createDirectory(tmp.resolve("netns"));
        Path netns = shared.resolve("ns");
        Path writedir = Files.createDirectory(tmp.resolve("writedir"));
        mount("--bind", shared.toString(), shared.toString());
        try {
            mount("--make-shared", shared.toString());
            Files.createFile(netns);
            Commands.Result unshare = Commands.run("unshare", "--net=" + netns, "true");
            assertEquals(0, unshare.exitCode(), unshare::toString);
            try {
                Commands.Result run = Commands.run(Fixtures.launcher().toString(), Fixtures.alpineRootfs().toString(),
                        writedir.toString(), "--", "true");
                assertEquals(0, run.exitCode(), run::toString);

                assertEquals("nsfs\n", Commands.run("findmnt", "-n", "-o", "FSTYPE", netns.toString()).stdout(),
                        "the network namespace's mount is still there");
            } finally {
                Commands.run("umount", netns.toString());
            }
        } finally {
            Commands.run("umount", shared.toString());
        }
    }

    private static void mount(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "mount";
        System.arraycopy(args, 0, command, 1, args.length);
        Commands.Result r = Commands.run(command);
        assertEquals(0, r.exitCode(), r::toString);
    }
}
