package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.Commands;
import io.containerfs.testing.ContainerFs;
import io.containerfs.testing.Entries;
import io.containerfs.testing.Fixtures;
import io.containerfs.testing.MirrorServer;
import io.containerfs.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pull killed with SIGKILL runs no shutdown hook: its hidden {@code .DIR.pull-*} sibling or its
 * {@code .part} file stays. The next pull sweeps them (issue 10, "Nothing lost").
 */
@Privileged
class PullLeftoversIT {
    @TempDir
    Path tmp;

    @AfterEach
    void clean() throws IOException {
        PathUtils.cleanDirectory(tmp); // pulled trees hold absolute symlinks: not followed here
    }

    @Test
    void theNextPullSweepsTheHalfTreeOfAPullKilledWithSigkill() throws Exception {
        Path fifo = tmp.resolve("alpine.tar.gz");
        assertEquals(0, Commands.run("mkfifo", fifo.toString()).exitCode());
        Path out = Files.createDirectory(tmp.resolve("out"));
        Path rootfs = out.resolve("rootfs");
        Process pull = start("pull", "--quiet", "--file", fifo.toString(), rootfs.toString());
        byte[] tarball = Files.readAllBytes(Fixtures.alpineTarball());
        try (var writer = Files.newOutputStream(fifo)) {
            writer.write(tarball, 0, tarball.length / 2);
            writer.flush();
            Entries.await(out, ".rootfs.pull-");
            killHard(pull);
        } finally {
            pull.destroyForcibly();
        }
        // and the lock file, on which the kernel dropped the lock with its owner: the next pull takes it over.
        assertEquals(List.of(out.resolve(".rootfs.pull.lock")), Entries.list(out).stream()
                .filter(p -> !p.getFileName().toString().startsWith(".rootfs.pull-")).toList());
        assertEquals(2, Entries.list(out).size(), "SIGKILL left the half tree: " + Entries.list(out));

        Commands.Result next = ContainerFs.run("pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                rootfs.toString());

        assertEquals(0, next.exitCode(), next::toString);
        assertEquals(List.of(rootfs), Entries.list(out));
    }

    @Test
    void theNextPullSweepsThePartFileOfAPullKilledWithSigkill() throws Exception {
        byte[] tarball = Files.readAllBytes(Fixtures.alpineTarball());
        CountDownLatch testDone = new CountDownLatch(1);
        Path cache = tmp.resolve("cache");
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            mirror.respond(MirrorServer.TARBALL, exchange -> {
                exchange.sendResponseHeaders(200, tarball.length);
                exchange.getResponseBody().write(tarball, 0, tarball.length / 2);
                exchange.getResponseBody().flush();
                try {
                    testDone.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<String> args = List.of("pull", "--quiet", "--mirror", mirror.url().toString(), "--cache-dir",
                    cache.toString(), "alpine:v3.20", "--arch", "x86_64");
            Process pull = start(Stream.concat(args.stream(), Stream.of(tmp.resolve("first").toString()))
                    .toArray(String[]::new));
            try {
                Entries.await(cache, ".part");
                killHard(pull);
            } finally {
                pull.destroyForcibly();
                testDone.countDown();
            }
            assertEquals(1, parts(cache), "SIGKILL left the .part file");
            mirror.respond(MirrorServer.TARBALL, MirrorServer.body(tarball));

            Commands.Result next = ContainerFs.run(Stream.concat(args.stream(),
                    Stream.of(tmp.resolve("second").toString())).toArray(String[]::new));

            assertEquals(0, next.exitCode(), next::toString);
            assertEquals(0, parts(cache), "the next pull swept it");
        }
    }

    /**
     * Issue 23, item 4: DIR's parent is /tmp (1777) or a group's directory (setgid): the sweep of a
     * gone pull's half tree, read-only directories and all, leaves the parent's mode as it was (it
     * left /tmp 0777).
     */
    @Test
    void theSweepLeavesTheParentsStickyAndSetgidBits() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long started = gone.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(1L);
        Path out = Files.createDirectory(tmp.resolve("out"));
        Path half = Files.createDirectories(out.resolve(".rootfs.pull-" + gone.pid() + "-" + started + "-1/usr/lib"));
        Files.writeString(half.resolve("libc.so"), "half\n");
        assertEquals(0, Commands.run("chmod", "555", half.toString()).exitCode());
        assertEquals(0, Commands.run("chmod", "3777", out.toString()).exitCode());
        Path rootfs = out.resolve("rootfs");

        Commands.Result next = ContainerFs.run("pull", "--quiet", "--file", Fixtures.alpineTarball().toString(),
                rootfs.toString());

        assertEquals(0, next.exitCode(), next::toString);
        assertEquals(List.of(rootfs), Entries.list(out), "the half tree was swept");
        assertEquals("3777\n", Commands.run("stat", "-c", "%a", out.toString()).stdout(), "the parent's mode");
    }

    private static Process start(String... args) throws IOException {
        return new ProcessBuilder(Commands.concat(ContainerFs.FrontEnd.JAR.command(), List.of(args)))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static void killHard(Process process) throws InterruptedException {
        assertTrue(process.isAlive(), "pull was still working");
        process.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, process.exitValue());
    }

    private static long parts(Path cache) throws IOException {
        return Entries.list(cache).stream().filter(p -> p.toString().endsWith(".part")).count();
    }
}
