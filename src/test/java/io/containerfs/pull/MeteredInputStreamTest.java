package io.containerfs.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MeteredInputStreamTest {
    private static MeteredInputStream over(int size, long cap) {
        return new MeteredInputStream(new ByteArrayInputStream(new byte[size]), cap);
    }

    @Test
    void passesExactlyTheCap() throws IOException {
        MeteredInputStream in = over(100, 100);
        assertArrayEquals(new byte[100], in.readAllBytes());
        assertEquals(100, in.count());
    }

    @Test
    void refusesOneByteMore() {
        assertThrows(MeteredInputStream.LimitExceeded.class, () -> over(101, 100).readAllBytes());
        assertThrows(MeteredInputStream.LimitExceeded.class, () -> {
            MeteredInputStream in = over(101, 100);
            while (in.read() != -1) {
                // one byte at a time, as GZIPInputStream reads its header
            }
        });
    }

    @Test
    void skippedBytesCountAgainstTheCapToo() throws IOException {
        MeteredInputStream in = over(1000, 500);
        assertEquals(400, in.skip(400));
        assertEquals(400, in.count());
        assertThrows(MeteredInputStream.LimitExceeded.class, () -> in.skip(200));
    }

    @Test
    void anUncappedStreamOnlyCounts() throws IOException {
        MeteredInputStream in = over(5000, Long.MAX_VALUE);
        in.readAllBytes();
        assertEquals(5000, in.count());
    }
}
