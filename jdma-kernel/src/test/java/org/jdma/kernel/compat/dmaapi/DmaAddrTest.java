package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Row 95: DmaAddr is an immutable, unsigned, opaque value. */
class DmaAddrTest {

    @Test
    void shouldPrintUpperCaseHexLikeTheSeed() {
        assertEquals("0x1000", DmaAddr.of(0x1000).toString());
        assertEquals("0xDEADBEEF", DmaAddr.of(0xDEAD_BEEFL).toString());
        assertEquals("0xFFFFFFFFFFFFFFFF", DmaAddr.of(-1L).toString());
        assertEquals("0x0", DmaAddr.of(0).toString());
    }

    @Test
    void shouldAddUntilTwoToTheSixtyFourAndThenBeEmpty() {
        assertEquals(Optional.of(DmaAddr.of(0x1040)), DmaAddr.of(0x1000).checkedAdd(0x40));
        assertEquals(Optional.of(DmaAddr.of(-1L)), DmaAddr.of(-2L).checkedAdd(1), "the last address");
        assertEquals(Optional.empty(), DmaAddr.of(-1L).checkedAdd(1));
        assertEquals(Optional.empty(), DmaAddr.of(0x8000_0000_0000_0000L).checkedAdd(Long.MAX_VALUE).flatMap(a -> a.checkedAdd(1)));
        assertThrows(IllegalArgumentException.class, () -> DmaAddr.of(0).checkedAdd(-1));
    }

    @Test
    void shouldCompareAndEqualByUnsignedValue() {
        assertEquals(DmaAddr.of(42), DmaAddr.of(42));
        assertEquals(DmaAddr.of(42).hashCode(), DmaAddr.of(42).hashCode());
        assertNotEquals(DmaAddr.of(42), DmaAddr.of(43));
        assertTrue(DmaAddr.of(-1L).compareTo(DmaAddr.of(1)) > 0, "0xFFFF... is the highest address, not -1");
        assertEquals(0xFFFF_FFFFL, DmaAddr.of(0xFFFF_FFFFL).asLong());
    }

    @Test
    void shouldOfferNoWayToTheCpu() {
        // Opaque: the only way out is the number for a device register; no method hands out a
        // segment, a buffer or a CPU address.
        for (var m : DmaAddr.class.getDeclaredMethods()) {
            if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                assertTrue(m.getReturnType() != java.lang.foreign.MemorySegment.class && m.getReturnType() != java.nio.ByteBuffer.class, m.toString());
            }
        }
        assertTrue(java.lang.reflect.Modifier.isFinal(DmaAddr.class.getModifiers()), "no subclass can add one");
    }
}
