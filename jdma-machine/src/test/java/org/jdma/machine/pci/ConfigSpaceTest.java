package org.jdma.machine.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The per-bit access kinds of configuration space (PCI Local Bus Specification 3.0 §6.1). */
class ConfigSpaceTest {

    @Test
    void shouldApplyEachBitsAccessKindOnASoftwareWrite() {
        ConfigSpace c = new ConfigSpace();
        c.readWrite(0x40, 2, 0x0F00, 0x00FF);
        c.writeOneToClear(0x40, 2, 0xF000);
        c.setBits(0x40, 2, 0xA000);
        assertEquals(0xAF00, c.read(0x40, 2));
        c.write(0x40, 2, 0x2F5A);
        assertEquals(0x8F5A, c.read(0x40, 2), "RW low byte takes the value, RO nibble keeps, RW1C bit 13 cleared");
        c.write(0x41, 1, 0x00);
        assertEquals(0x8F5A, c.read(0x40, 2), "0 written to RW1C keeps it");
        assertEquals(0x00FF, c.writableMask(0x40, 2));
        assertEquals(0xF000, c.clearableMask(0x40, 2));
        c.reset();
        assertEquals(0x0F00, c.read(0x40, 2), "reset: declared value, RW1C bits 0");
    }

    @Test
    void shouldReadUnDeclaredBytesAsZeroAndIgnoreWritesToThem() {
        ConfigSpace c = new ConfigSpace();
        c.write(0x80, 4, 0xFFFF_FFFFL);
        assertEquals(0, c.read(0x80, 4));
        assertEquals(0, c.read(0xFFC, 4));
    }

    @Test
    void shouldRejectDeclarationsOutsideTheFourKibSpace() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ConfigSpace().readOnly(0xFFE, 4, 0));
        assertEquals("config space field [0xffe, +4) is outside 0..0xfff", e.getMessage());
    }
}
