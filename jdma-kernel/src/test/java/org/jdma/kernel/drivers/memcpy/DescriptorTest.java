package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.Test;

class DescriptorTest {

    @Test
    void shouldKeepSeedFieldsAndCompareByValue() {
        Descriptor d = new Descriptor(0x1000, 256, Descriptor.VALID | Descriptor.LAST);
        assertEquals(0x1000, d.address());
        assertEquals(256, d.length());
        assertEquals(Descriptor.VALID | Descriptor.LAST, d.flags());
        assertEquals(Opcode.NOOP, d.opcode());
        assertEquals(new Descriptor(0x1000, 256, Descriptor.VALID | Descriptor.LAST), d);
        assertEquals(new Descriptor(0x1000, 256, Descriptor.VALID | Descriptor.LAST).hashCode(), d.hashCode());
        assertNotEquals(new Descriptor(0x1000, 257, Descriptor.VALID | Descriptor.LAST), d);
    }

    @Test
    void shouldUseTheSeedFlagValues() {
        assertEquals(0x01, Descriptor.VALID);
        assertEquals(0x02, Descriptor.INTERRUPT);
        assertEquals(0x04, Descriptor.LAST);
        assertEquals(0x10, Descriptor.ERROR);
        assertEquals(0x20, Descriptor.DONE);
    }

    @Test
    void shouldRejectNegativeLength() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Descriptor(0x1000, -1, 0));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void shouldBuildValidOperationsWithFactories() {
        Descriptor move = Descriptor.memmove(0x1000, 0x2000, 64);
        assertEquals(Opcode.MEMMOVE, move.opcode());
        assertEquals(0x1000, move.address());
        assertEquals(0x2000, move.destination());
        assertTrue(move.executes());

        Descriptor fill = Descriptor.memfill(0x3000, 128, 0xA5A5_5A5AL);
        assertEquals(Opcode.MEMFILL, fill.opcode());
        assertEquals(0x3000, fill.address());
        assertEquals(0xA5A5_5A5AL, fill.pattern());

        Descriptor cmp = Descriptor.compare(0x1000, 0x2000, 32);
        assertEquals(Opcode.COMPARE, cmp.opcode());
        assertEquals(0x2000, cmp.destination());

        assertFalse(Descriptor.noop().executes());
        assertFalse(move.withFlags(0).executes());
    }

    @Test
    void shouldRejectFieldsTheOpcodeDoesNotHave() {
        assertThrows(IllegalArgumentException.class, () -> new Descriptor(0x1000, 8, Descriptor.VALID, Opcode.MEMMOVE, 0x2000, 7));
        assertThrows(IllegalArgumentException.class, () -> new Descriptor(0x1000, 8, Descriptor.VALID, Opcode.MEMFILL, 0x2000, 7));
    }

    @Test
    void shouldTellWhichMemoryItTouches() {
        Descriptor move = Descriptor.memmove(0x1000, 0x8000, 0x100);
        assertTrue(move.touches(0x10FF, 1));
        assertFalse(move.touches(0x1100, 0x100));
        assertTrue(move.touches(0x7000, 0x1001));
        assertFalse(Descriptor.memfill(0x1000, 0x100, 0).touches(0x8000, 0x100));
        // An empty range still names its first byte.
        assertTrue(new Descriptor(0x5000, 0, 0).touches(0x5000, 1));
        // Ranges near the top of the address space do not wrap.
        assertTrue(new Descriptor(-16, 32, 0).touches(-1, 1));
    }
}
