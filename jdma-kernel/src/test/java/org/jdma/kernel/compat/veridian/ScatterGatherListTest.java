package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.compat.veridian.ScatterGatherList.Limits;
import org.jdma.kernel.compat.veridian.ScatterGatherList.SgLimitException;
import org.jdma.kernel.compat.veridian.ScatterGatherList.Violation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.Test;

/** Checklist rows 70 (basics, seed 003's own test) and 71 (limits the seed lacked). */
class ScatterGatherListTest {

    @Test
    void shouldCountEntriesAndTotalLengthAsTheSeedsTestDoes() {
        ScatterGatherList sg = new ScatterGatherList().addEntry(0x1000, 4096).addEntry(0x10_0000, 8192);
        assertEquals(2, sg.entryCount());
        assertEquals(12288, sg.totalLength());
    }

    @Test
    void shouldReadLengthsAsUnsigned32Bit() {
        ScatterGatherList sg = new ScatterGatherList().addEntry(0x1_0000_0000L, -1); // 0xFFFF_FFFF bytes
        assertEquals(0xFFFF_FFFFL, sg.totalLength());
        assertEquals(0xFFFF_FFFFL, sg.entries().getFirst().lengthUnsigned());
    }

    @Test
    void shouldRejectZeroLengthEntries() {
        var e = assertThrows(SgLimitException.class, () -> new ScatterGatherList().addEntry(0x1000, 0));
        assertEquals(Violation.ZERO_LENGTH, e.violation());
    }

    @Test
    void shouldEnforceMaxEntriesSegmentSizeAndBoundaryWithoutChangingTheList() {
        ScatterGatherList sg = new ScatterGatherList(new Limits(2, 0x1_0000, 0xFFFF));
        sg.addEntry(0x1_0000, 0x1_0000);
        var tooLarge = assertThrows(SgLimitException.class, () -> sg.addEntry(0x2_0000, 0x1_0001));
        assertEquals(Violation.SEGMENT_TOO_LARGE, tooLarge.violation());
        var cross = assertThrows(SgLimitException.class, () -> sg.addEntry(0x2_FFF0, 0x20));
        assertEquals(Violation.BOUNDARY_CROSS, cross.violation());
        assertTrue(cross.getMessage().contains("entry 1") && cross.getMessage().contains("0x2fff0"), cross.getMessage());
        assertEquals(1, sg.entryCount());
        assertEquals(0x1_0000, sg.totalLength());
        sg.addEntry(0x2_FFF0, 0x10); // ends exactly at the boundary: fine
        var full = assertThrows(SgLimitException.class, () -> sg.addEntry(0x5_0000, 16));
        assertEquals(Violation.TOO_MANY_ENTRIES, full.violation());
        assertEquals(2, sg.entryCount());
    }

    @Test
    void shouldRejectEntriesThatWrapPastTheTopOfTheAddressSpace() {
        var e = assertThrows(SgLimitException.class, () -> new ScatterGatherList().addEntry(-16, 32));
        assertEquals(Violation.ADDRESS_WRAP, e.violation());
        new ScatterGatherList().addEntry(-16, 16); // ends at 2^64 - 1
    }

    @Test
    void shouldRejectLimitsThatMakeNoSense() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(0, 4096, -1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, 4096, 0x1000)); // not 2^n - 1
    }

    @Test
    void shouldBeTheDmaApisScatterListUnderneathSoADriverCanMapIt() {
        try (Machine machine = TestMachines.ramOnly()) {
            DmaMemory memory = TestMachines.dmaMemory(machine);
            DeviceDmaApi dma = TestMachines.device(TestMachines.directDma(memory), "sg");
            DmaBuffer a = memory.allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
            DmaBuffer b = memory.allocate(8192, 4096, DmaMemory.LIMIT_4GIB);
            ScatterGatherList sg = new ScatterGatherList().addEntry(a.physicalAddress(), 4096).addEntry(b.physicalAddress() + 100, 5000);
            ScatterList list = sg.scatterList();
            assertEquals(2, dma.mapSg(list, sg.entryCount(), DmaDirection.TO_DEVICE), "direct DMA never merges");
            assertEquals(a.physicalAddress(), list.get(0).dmaAddress());
            assertEquals(b.physicalAddress() + 100, list.get(1).dmaAddress());
            assertEquals(5000, list.get(1).dmaLength());
            dma.unmapSg(list, sg.entryCount(), DmaDirection.TO_DEVICE);
            sg.clear();
            assertEquals(0, list.size(), "one list: cleared together");
        }
    }
}
