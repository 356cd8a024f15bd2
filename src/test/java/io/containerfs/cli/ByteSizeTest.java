package io.containerfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void dockerRunsSpellingsInAnyCase() {
        assertEquals(1_048_576L, ByteSize.parse("1048576"));
        assertEquals(512L << 10, ByteSize.parse("512k"));
        assertEquals(512L << 10, ByteSize.parse("512K"));
        assertEquals(64L << 20, ByteSize.parse("64m"));
        assertEquals(32L << 20, ByteSize.parse("32MB"));
        assertEquals(64L << 20, ByteSize.parse("64MiB"));
        assertEquals(1L << 30, ByteSize.parse("1G"));
        assertEquals(1L << 30, ByteSize.parse("1gib"));
        assertEquals(100, ByteSize.parse("100b"));
        assertEquals(64L << 20, ByteSize.parse(" 64 m "), "whitespace around it and before the unit");
    }

    @Test
    void zeroIsASizeWhoseMeaningIsTheOptions() {
        assertEquals(0, ByteSize.parse("0"));
        assertEquals(0, ByteSize.parse("0g"));
        assertEquals(0, ByteSize.parse("000"));
    }

    @Test
    void aSignAFractionOrAnotherUnitIsNotASize() {
        for (String text : List.of("", "m", "lots", "-1", "-5m", "+5", "1.5g", "1t", "64mm", "64x", "0x10", "64 m b",
                "\u0661\u0662")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text), text);
            assertEquals("'" + text + "' is not a size such as 32m, 1g or 512k", e.getMessage());
        }
    }

    @Test
    void moreBytesThanALongHoldsIsOutOfRangeNotWrappedAround() {
        assertEquals(Long.MAX_VALUE, ByteSize.parse("9223372036854775807"));
        assertEquals(8_589_934_591L << 30, ByteSize.parse("8589934591g"));
        assertEquals(8_796_093_022_207L << 20, ByteSize.parse("8796093022207m"));
        assertEquals(9_007_199_254_740_991L << 10, ByteSize.parse("9007199254740991k"));
        assertEquals(1, ByteSize.parse("0000000000000000000000001"), "leading zeros are not magnitude");
        for (String text : List.of("9223372036854775808", "99999999999999999999999", "8589934592g", "999999999999999G",
                "8796093022208m", "9007199254740992k")) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> ByteSize.parse(text), text);
            assertEquals("'" + text + "' is more bytes than a long holds", e.getMessage());
        }
    }
}
