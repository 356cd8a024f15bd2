package io.containerfs.isolation;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 23, item 3: {@code -v HOST:CTR:ro} is read-only all the way down. The host directory
 * holds two filesystems mounted below it (a tmpfs, and one nested in it under a name with a
 * space, which mountinfo escapes), as {@code -v /:/host:ro} holds /dev/shm and the cgroup tree:
 * each is read-only and nodev inside, and keeps its own nosuid and noexec. Once on this kernel
 * (mount_setattr(2), AT_RECURSIVE) and once as on the course VM's Linux 5.4, under
 * {@code target/c-tests/enosys}, where each submount is remounted in turn. A volume without :ro
 * stays writable, with --read-only too, as docker run's does.
 */
@Privileged
@ParameterizedClass
@EnumSource(ReadOnlyVolumesIT.Kernel.class)
class ReadOnlyVolumesIT {
    enum Kernel {
        THIS_ONE, AS_LINUX_5_4
    }

    @Parameter
    Kernel kernel;

    @RegisterExtension
    final ContainerDirs run = ContainerDirs.onAlpine();

    private Path source;
    private Path sub;
    private Path nested;
    private final List<Path> mounted = new ArrayList<>();

    @BeforeEach
    void aHostDirectoryWithSubmounts() throws IOException {
        source = Files.createDirectory(run.dir().resolve("hostdir"));
        Files.writeString(source.resolve("top"), "top\n");
        sub = Files.createDirectory(source.resolve("sub"));
        mount(sub, "size=256k,nosuid,noexec");
        Files.writeString(sub.resolve("in-sub"), "sub\n");
        nested = Files.createDirectory(sub.resolve("deep er"));
        mount(nested, "size=256k");
    }

    private void mount(Path dir, String options) {
        Commands.Result r = Commands.run("mount", "-t", "tmpfs", "-o", options, "cfs-it-ro", dir.toString());
        assertEquals(0, r.exitCode(), r::toString);
        mounted.add(0, dir);
    }

    @AfterEach
    void unmount() {
        for (Path dir : mounted) {
            Commands.run("umount", dir.toString());
        }
    }

    private Commands.Result run(List<String> options, List<Path> layers, String script) {
        List<String> words = new ArrayList<>();
        if (kernel == Kernel.AS_LINUX_5_4) {
            Path enosys = Fixtures.basedir().resolve("target/c-tests/enosys");
            assertTrue(Files.isExecutable(enosys), enosys + " is built by make -C src/main/c test");
            words.add(enosys.toString());
        }
        words.addAll(FrontEnd.JAR.command());
        words.addAll(options);
        layers.forEach(p -> words.add(p.toString()));
        words.addAll(List.of("--", "sh", "-c", script));
        return Commands.run(null, null, words, Map.of("TMPDIR", run.tmpdir().toString()));
    }

    /** Mount point to its own options (mountinfo's sixth field), for the mounts at and under dir. */
    private static Map<String, String> optionsUnder(Commands.Result r, String dir) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split(" ");
            if (f.length > 5 && (f[4].equals(dir) || f[4].startsWith(dir + "/"))) {
                options.put(f[4], f[5]);
            }
        }
        return options;
    }

    private static boolean has(String options, String flag) {
        return List.of(options.split(",")).contains(flag);
    }

    private List<Path> hostFiles() throws IOException {
        try (var files = Files.walk(source)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void aReadOnlyVolumeIsReadOnlyInEverySubmount() throws IOException {
        List<Path> before = hostFiles();
        Commands.Result r = run(List.of("-v", source + ":/data:ro"), run.stack(),
                "for f in /data/x /data/sub/x '/data/sub/deep er/x'; do touch \"$f\" 2>/dev/null && echo \"wrote $f\";"
                        + " done; mount -o remount,rw /data/sub 2>/dev/null && echo remounted;"
                        + " cat /data/sub/in-sub; cat /proc/self/mountinfo");

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("sub\n"), "nothing written, nothing remounted: " + r);
        Map<String, String> options = optionsUnder(r, "/data");
        assertEquals(List.of("/data", "/data/sub", "/data/sub/deep\\040er"), List.copyOf(options.keySet()), r::toString);
        options.forEach((point, flags) -> {
            assertTrue(has(flags, "ro"), point + " is read-only: " + flags);
            assertTrue(has(flags, "nodev"), point + " is nodev: " + flags);
        });
        assertTrue(has(options.get("/data/sub"), "nosuid") && has(options.get("/data/sub"), "noexec"),
                "the submount keeps its own flags: " + options);
        assertEquals(before, hostFiles(), "nothing was written on the host");
    }

    @Test
    void aVolumeWithoutRoStaysWritableInEverySubmountButNodev() throws IOException {
        Commands.Result r = run(List.of("-v", source + ":/data"), run.stack(),
                "touch /data/x '/data/sub/deep er/x' && cat /proc/self/mountinfo");

        assertEquals(0, r.exitCode(), r::toString);
        Map<String, String> options = optionsUnder(r, "/data");
        assertEquals(3, options.size(), r::toString);
        options.forEach((point, flags) -> {
            assertTrue(has(flags, "rw") && has(flags, "nodev"), point + ": " + flags);
        });
        assertTrue(Files.exists(nested.resolve("x")), "written through to the host");
    }

    /** docker run --read-only: the root is read-only; a volume without :ro is not. */
    @Test
    void readOnlyMakesTheRootReadOnlyAndLeavesAVolumeWritable() throws IOException {
        Path empty = Files.createDirectory(run.dir().resolve("empty-layer"));
        Commands.Result r = run(List.of("--read-only", "-v", source + ":/mnt", "-v", source + ":/srv:ro"),
                List.of(run.rootfs(), empty), "touch /mnt/sub/x && echo volume-ok; touch /x 2>/dev/null || echo root-ro;"
                        + " touch /srv/sub/y 2>/dev/null || echo ro-volume-ro");

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("volume-ok\nroot-ro\nro-volume-ro\n", r.stdout(), r::toString);
        assertTrue(Files.exists(sub.resolve("x")));
    }
}
