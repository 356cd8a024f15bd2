package io.containerfs.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerDirs;
import io.containerfs.testing.ContainerFs.FrontEnd;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10, "Many layers": past one page of mount(2) options, the layers go to the kernel one by
 * one (fsopen(2), lowerdir+), up to overlayfs's own limit of 500; past it, the kernel's own words.
 * On Alpine, once per front end.
 */
@Privileged
@ParameterizedClass
@EnumSource(FrontEnd.class)
class ManyLayersIT {
    /** overlayfs's OVL_MAX_STACK. */
    static final int KERNEL_LIMIT = 500;

    @Parameter
    FrontEnd frontEnd;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    /**
     * Whether the tests run as on Linux 5.4 ({@code mvn verify -Pas-linux-5.4}): no fsopen(2), so
     * a stack past one page of options is refused.
     */
    static boolean asLinux54() {
        return "5.4".equals(System.getenv("CONTAINERFS_AS_LINUX"));
    }

    /** {@code count} layers above Alpine, each path exactly 150 characters long. */
    static List<Path> layersOf150Characters(Path dir, int count) throws IOException {
        Path base = dir.resolve("layers");
        String name = "/l0000";
        int padding = 150 - base.toString().length() - 1 - name.length();
        assertTrue(padding > 0, base::toString);
        Path parent = Files.createDirectories(base.resolve("p".repeat(padding)));
        List<Path> layers = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Path layer = Files.createDirectory(parent.resolve(String.format("l%04d", i)));
            assertEquals(150, layer.toString().length());
            layers.add(layer);
        }
        return layers;
    }

    private Commands.Result run(List<Path> lowers, String... command) {
        List<String> args = new ArrayList<>(List.of(run.rootfs().toString()));
        lowers.forEach(p -> args.add(p.toString()));
        args.add(run.writedir().toString());
        args.add("--");
        args.addAll(List.of(command));
        return frontEnd.runIn(run.tmpdir(), null, args.toArray(String[]::new));
    }

    @Test
    void fourHundredNinetyNineLayersOf150CharactersMountInOrder() throws IOException {
        List<Path> layers = layersOf150Characters(run.dir(), KERNEL_LIMIT - 2); // with Alpine: 499 lower layers
        Files.writeString(layers.get(0).resolve("bottom"), "from the bottom\n");
        Files.writeString(layers.get(100).resolve("shadowed"), "layer 101\n");
        Files.writeString(layers.get(249).resolve("shadowed"), "layer 250\n");

        Commands.Result r = run(layers, "sh", "-c", "cat /etc/alpine-release /bottom /shadowed");

        if (asLinux54()) {
            assertEquals(OldKernelIT.TOO_LONG_FOR_ONE_PAGE, r.stderr(), r::toString);
            return;
        }
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(Fixtures.ALPINE_VERSION + "\nfrom the bottom\nlayer 250\n", r.stdout());
    }

    @Test
    void aroundOnePageOfOptionsTheSameStackAlwaysGivesTheSameAnswer() throws IOException {
        // The option string is "lowerdir=TOP:...:rootfs,upperdir=W,workdir=PARENT/.container-fs-work-XXXXXX";
        // mount(2) takes at most 4095 characters of it. A last layer of the right length puts the
        // string at each length around that, and every run of each must give the same answer.
        Path realRoot = run.rootfs().toRealPath();
        Path upper = run.writedir().toRealPath();
        int fixed = "lowerdir=".length() + realRoot.toString().length() + ",upperdir=".length()
                + upper.toString().length() + ",workdir=".length() + upper.getParent().toString().length()
                + "/.container-fs-work-XXXXXX".length();
        List<Path> layers = layersOf150Characters(run.dir(), 25);
        int room = 4095 - fixed - 151 * layers.size() - 1; // what the last layer and its ':' may take at 4095
        assertTrue(room > 60 && room < 220, "room " + room);
        for (int total = 4092; total <= 4099; total++) {
            int length = room + total - 4095;
            Path last = Files.createDirectory(run.dir().resolve("t".repeat(length - run.dir().toString().length() - 1)));
            assertEquals(length, last.toString().length());
            Files.writeString(last.resolve("top"), total + "\n");
            List<Path> stack = new ArrayList<>(layers);
            stack.add(last);
            for (int run = 0; run < 2; run++) {
                Commands.Result r = run(stack.stream().map(this::real).toList(), "cat", "/top");
                if (asLinux54() && total > 4095) {
                    assertEquals(OldKernelIT.TOO_LONG_FOR_ONE_PAGE, r.stderr(), "options of " + total);
                } else {
                    assertEquals(0, r.exitCode(), "options of " + total + ": " + r);
                    assertEquals(total + "\n", r.stdout());
                }
            }
            org.apache.commons.io.file.PathUtils.deleteDirectory(last);
        }
    }

    private Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void pastOverlayfsLimitTheKernelsOwnWordsAreShown() throws IOException {
        List<Path> layers = layersOf150Characters(run.dir(), KERNEL_LIMIT); // with Alpine: 501

        Commands.Result r = run(layers, "true");

        assertEquals(125, r.exitCode(), r::toString);
        if (asLinux54()) {
            assertEquals(OldKernelIT.TOO_LONG_FOR_ONE_PAGE, r.stderr());
            return;
        }
        assertTrue(r.stderr().startsWith("container-fs: mount overlay on `"), r.stderr());
        assertTrue(r.stderr().endsWith("`: Invalid argument (the kernel says: overlay: too many lower directories,"
                + " limit is 500)\n"), r.stderr());
    }

    @Test
    void pastOnePageAPathOf256BytesOrMoreIsRefusedWithTheReason() throws IOException {
        Path deep = Files.createDirectories(run.dir().resolve("d".repeat(255 - run.dir().toString().length()) + "/x"));
        assertTrue(deep.toString().length() >= 256, deep::toString);
        List<Path> layers = new ArrayList<>(layersOf150Characters(run.dir(), 30));
        layers.add(deep);

        Commands.Result r = run(layers, "true");

        assertEquals(125, r.exitCode(), r::toString);
        assertEquals(OldKernelIT.TOO_LONG_FOR_ONE_PAGE, r.stderr());
    }

    @Test
    void theSameLayerThroughABindMountIsCalledOverlappingNotAVirtualBoxFolder() throws IOException {
        Path layer = Files.createDirectories(run.dir().resolve("layer/sub"));
        Path bound = Files.createDirectory(run.dir().resolve("bound"));
        Commands.Result mount = Commands.run("mount", "--bind", layer.getParent().toString(), bound.toString());
        assertEquals(0, mount.exitCode(), mount::toString);
        try {
            Commands.Result r = run(List.of(layer, bound), "true");

            assertEquals(125, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains("overlapping layers"), r.stderr());
            assertTrue(!r.stderr().contains("VirtualBox"), r.stderr());
        } finally {
            Commands.run("umount", bound.toString());
        }
    }
}
