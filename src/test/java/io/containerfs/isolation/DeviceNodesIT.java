package io.containerfs.isolation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 23, item 2: a device node that a layer or a volume carries is the host's device (a layer
 * is anyone's tarball; the course's own {@code tar -xpf} keeps nodes). The root and every -v
 * volume, submounts included, are mounted nodev, so opening one fails with EACCES; the
 * container's own /dev keeps its nodes, and --privileged keeps today's behaviour. The nodes here
 * are the host's /dev/null and /dev/zero (1:3, 1:5), harmless either way, and a loop device's
 * block node where the host has /dev/loop0.
 */
@Privileged
class DeviceNodesIT {
    /**
     * Opens each node for reading (the shell's {@code <}; on {@code true}, not the special
     * builtin {@code :}, whose failed redirection would end the shell) and says which it could;
     * then the container's own /dev/zero, which must open.
     */
    private static String openEach(String dir, List<String> names) {
        return names.stream().map(n -> dir + n).collect(Collectors.joining(" ", "for d in ", "; do"))
                + " if true < $d; then echo \"$d opened\"; else echo \"$d refused\"; fi; done; true < /dev/zero && echo dev-ok";
    }

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Path layer;
    private List<String> nodes;

    @BeforeEach
    void aLayerWithDeviceNodes() throws IOException {
        layer = Files.createDirectories(run.dir().resolve("layer/devices"));
        nodes = makeNodes(layer);
        layer = layer.getParent();
    }

    /** /devices/null, /devices/zero and, where the host has a loop device, /devices/loop0. */
    private static List<String> makeNodes(Path dir) {
        List<String> made = new ArrayList<>();
        mknod(dir.resolve("null"), "c", 1, 3);
        mknod(dir.resolve("zero"), "c", 1, 5);
        made.add("null");
        made.add("zero");
        if (Files.exists(Path.of("/dev/loop0"))) {
            mknod(dir.resolve("loop0"), "b", 7, 0);
            made.add(0, "loop0");
        }
        return made;
    }

    private static void mknod(Path path, String type, int major, int minor) {
        Commands.Result r = Commands.run("mknod", path.toString(), type, String.valueOf(major), String.valueOf(minor));
        assertEquals(0, r.exitCode(), r::toString);
    }

    private String expected(String prefix, String outcome, List<String> names) {
        return names.stream().map(n -> prefix + n + " " + outcome + "\n").collect(Collectors.joining()) + "dev-ok\n";
    }

    private Commands.Result run(FrontEnd frontEnd, List<String> options, List<Path> layers, String script) {
        List<String> args = new ArrayList<>(options);
        layers.forEach(p -> args.add(p.toString()));
        args.addAll(List.of("--", "sh", "-c", script));
        return frontEnd.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    @ParameterizedTest
    @EnumSource(FrontEnd.class)
    void aLayersDeviceNodesCannotBeOpened(FrontEnd frontEnd) {
        Commands.Result r = run(frontEnd, List.of(), List.of(run.rootfs(), layer, run.writedir()),
                openEach("/devices/", nodes));

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(expected("/devices/", "refused", nodes), r.stdout(), r::toString);
        assertTrue(r.stderr().contains("Permission denied"), r::toString);
        assertTrue(mountOptions(run(frontEnd, List.of(), run.stack(), "grep ' / / ' /proc/self/mountinfo"))
                .contains("nodev"), "the root is nodev");
    }

    /**
     * Past one page of mount(2) options the layers go one by one through fsopen(2) and fsmount(2)
     * (Linux 6.8), whose MOUNT_ATTR_NODEV must say the same; as on 5.4 such a stack is refused.
     */
    @Test
    void aStackPastOnePageOfOptionsIsNodevToo() throws IOException {
        Path parent = Files.createDirectories(run.dir().resolve("layers/" + "p".repeat(120)));
        List<Path> stack = new ArrayList<>(List.of(run.rootfs()));
        for (int i = 0; i < 32; i++) {
            stack.add(Files.createDirectory(parent.resolve(String.format("l%04d", i))));
        }
        stack.add(layer);
        stack.add(run.writedir());
        assertTrue(stack.stream().mapToInt(p -> p.toString().length() + 1).sum() > 4096, "longer than a page");

        Commands.Result r = run(FrontEnd.JAR, List.of(), stack, openEach("/devices/", nodes));

        if ("5.4".equals(System.getenv("CONTAINERFS_AS_LINUX"))) {
            assertEquals(125, r.exitCode(), r::toString);
            return;
        }
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(expected("/devices/", "refused", nodes), r.stdout(), r::toString);
    }

    @Test
    void aReadOnlyRootIsNodevToo() {
        Commands.Result r = run(FrontEnd.JAR, List.of("--read-only"), List.of(run.rootfs(), layer),
                openEach("/devices/", nodes));

        assertEquals(expected("/devices/", "refused", nodes), r.stdout(), r::toString);
    }

    @Test
    void privilegedKeepsThemWorking() {
        Commands.Result r = run(FrontEnd.JAR, List.of("--privileged"), List.of(run.rootfs(), layer, run.writedir()),
                openEach("/devices/", nodes));

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(expected("/devices/", "opened", nodes), r.stdout(), r::toString);
    }

    /** A host directory's nodes, and those of a filesystem mounted below it, through -v with and without :ro. */
    @Test
    void aVolumesDeviceNodesCannotBeOpenedSubmountsIncluded() throws IOException {
        Path source = Files.createDirectories(run.dir().resolve("hostdir/devices"));
        List<String> names = new ArrayList<>(makeNodes(source));
        Path sub = Files.createDirectory(source.resolve("sub"));
        assertEquals(0, Commands.run("mount", "-t", "tmpfs", "-o", "size=64k", "cfs-it-devices", sub.toString()).exitCode());
        try {
            mknod(sub.resolve("zero"), "c", 1, 5);
            names.add("sub/zero");
            for (String mode : List.of("", ":ro")) {
                Commands.Result r = run(FrontEnd.JAR, List.of("-v", source.getParent() + ":/host" + mode), run.stack(),
                        openEach("/host/devices/", names));
                assertEquals(0, r.exitCode(), r::toString);
                assertEquals(expected("/host/devices/", "refused", names), r.stdout(),
                        "-v " + mode + ": " + r);
            }
            Commands.Result privileged = run(FrontEnd.JAR, List.of("--privileged", "-v", source.getParent() + ":/host"),
                    run.stack(), openEach("/host/devices/", names));
            assertEquals(expected("/host/devices/", "opened", names), privileged.stdout(),
                    privileged::toString);
        } finally {
            Commands.run("umount", sub.toString());
        }
    }

    /** The options field of the one mountinfo line a run printed. */
    private static List<String> mountOptions(Commands.Result r) {
        assertEquals(0, r.exitCode(), r::toString);
        String[] fields = r.stdout().trim().split(" ");
        assertTrue(fields.length > 5, r::toString);
        return List.of(fields[5].split(","));
    }

    @Test
    void theContainersOwnDevKeepsItsNodes() {
        Commands.Result r = run(FrontEnd.JAR, List.of(), run.stack(),
                "echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("4\n4\n", r.stdout().replace(" ", ""), r::toString);
    }

}
