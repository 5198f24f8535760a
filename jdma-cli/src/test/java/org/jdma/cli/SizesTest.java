package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {

    @Test
    void shouldParseBinarySuffixes() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(16 * 1024, Sizes.parse("16K"));
        assertEquals(64L << 20, Sizes.parse("64M"));
        assertEquals(64L << 20, Sizes.parse("64MiB"));
        assertEquals(1L << 30, Sizes.parse("1g"));
    }

    @Test
    void shouldRejectGarbageNamingTheInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse("12Q"));
        assertTrue(e.getMessage().contains("12Q"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-4K"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999G"));
    }

    @Test
    void shouldFormatExactUnits() {
        assertEquals("64 MiB", Sizes.format(64L << 20));
        assertEquals("2 GiB", Sizes.format(2L << 30));
        assertEquals("1000 B", Sizes.format(1000));
    }
}
