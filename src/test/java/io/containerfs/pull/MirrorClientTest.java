package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.MirrorServer;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorClientTest {
    @TempDir
    Path tmp;

    @Test
    void givesUpOnAMirrorThatStopsSending() throws Exception {
        Release release = new Release("v3.20", "x86_64", "3.20.3", "stall.tar.gz", 1 << 20, "a".repeat(64),
                Optional.empty());
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            mirror.respond("v3.20/releases/x86_64/stall.tar.gz", exchange -> {
                exchange.sendResponseHeaders(200, 1 << 20);
                OutputStream body = exchange.getResponseBody();
                body.write(new byte[1000]);
                body.flush();
                try {
                    Thread.sleep(3_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            MirrorClient client = new MirrorClient(mirror.url(), Duration.ofSeconds(5), Duration.ofSeconds(1));
            Path part = Files.createFile(tmp.resolve("stall.part"));
            long start = System.nanoTime();
            PullException e = assertThrows(PullException.class, () -> client.download(release, part, Progress.NONE));
            assertTrue(e.getMessage().contains("broke off after 1000 of 1048576 bytes (the mirror sent nothing for 1 s)"),
                    e.getMessage());
            assertTrue(System.nanoTime() - start < 4_000_000_000L, "gave up after the read timeout, not the stall");
        }
    }

    @Test
    void refusesAnIndexTooLargeToBeOne() throws Exception {
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            mirror.respond(MirrorServer.INDEX, MirrorServer.chunked(new byte[MirrorClient.MAX_INDEX_BYTES + 1]));
            MirrorClient client = new MirrorClient(mirror.url(), Duration.ofSeconds(5), Duration.ofSeconds(5));
            PullException e = assertThrows(PullException.class, () -> client.fetchIndex("v3.20", "x86_64"));
            assertTrue(e.getMessage().contains("is larger than 1048576 bytes, so it is no release index"), e.getMessage());
        }
    }

    /**
     * The JVM's exit waits up to 300 ms for a thread in native code, as the HTTP client's selector
     * thread is while it waits: once closed, the client has none left.
     */
    @Test
    void closingEndsTheClientsSelectorThread() throws Exception {
        try (MirrorServer mirror = MirrorServer.start(tmp)) {
            mirror.respond(MirrorServer.INDEX, MirrorServer.body("latest".getBytes(StandardCharsets.UTF_8)));
            Set<Thread> before = selectorThreads();
            MirrorClient client = new MirrorClient(mirror.url(), Duration.ofSeconds(5), Duration.ofSeconds(5));
            assertEquals("latest", client.fetchIndex("v3.20", "x86_64"));
            Set<Thread> started = selectorThreads();
            started.removeAll(before);
            assertFalse(started.isEmpty(), "an open client has a selector thread");
            client.close();
            for (Thread thread : started) {
                thread.join(10_000);
                assertFalse(thread.isAlive(), thread + " still runs after close");
            }
            // JDK 17's selector thread also ends once its client is collected: keep it reachable,
            // so that only close() can have ended it.
            Reference.reachabilityFence(client);
        }
    }

    private static Set<Thread> selectorThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("-SelectorManager")) {
                threads.add(thread);
            }
        }
        return threads;
    }
}
