package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackgroundDigestInputStreamTest {
    private static final byte[] DATA = new byte[5 * 65536 + 17];

    static {
        new Random(13).nextBytes(DATA);
    }

    @Test
    void theDigestIsOfEveryByteReadWhateverTheWayOfReading() throws Exception {
        byte[] got;
        try (BackgroundDigestInputStream in = new BackgroundDigestInputStream(new ByteArrayInputStream(DATA), "SHA-256")) {
            assertEquals(DATA[0] & 0xff, in.read());
            assertEquals(1000, in.skip(1000));
            byte[] buffer = new byte[4096];
            assertEquals(4096, in.read(buffer, 0, 4096));
            assertArrayEquals(java.util.Arrays.copyOfRange(DATA, 1001, 1001 + 4096), buffer);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            got = in.digest();
        }
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(DATA), got);
    }

    @Test
    void aReaderFarAheadOfTheDigestWaitsInsteadOfQueueingEverything() throws Exception {
        // More blocks than may be in flight, each read separately: put() must block and resume.
        InputStream source = new ByteArrayInputStream(DATA);
        try (BackgroundDigestInputStream in = new BackgroundDigestInputStream(source, "SHA-256")) {
            byte[] one = new byte[64];
            int blocks = 0;
            while (in.read(one, 0, one.length) > 0) {
                blocks++;
            }
            assertEquals(true, blocks > BackgroundDigestInputStream.IN_FLIGHT);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(DATA), in.digest());
        }
    }

    @Test
    void closingWithoutAskingForTheDigestStopsTheWorker() throws IOException {
        BackgroundDigestInputStream in = new BackgroundDigestInputStream(new ByteArrayInputStream(DATA), "SHA-256");
        in.read(new byte[100]);
        in.close();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (Thread t = find(); t != null; t = find()) {
                Thread.sleep(10);
            }
        });
    }

    private static Thread find() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("container-fs SHA-256") && t.isAlive()).findFirst().orElse(null);
    }
}
