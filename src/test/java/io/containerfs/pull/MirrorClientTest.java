package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerfs.testing.MirrorServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
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
}
