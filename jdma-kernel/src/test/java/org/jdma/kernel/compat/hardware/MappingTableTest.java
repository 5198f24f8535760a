package org.jdma.kernel.compat.hardware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdma.kernel.testing.Workers;
import org.junit.jupiter.api.Test;

import org.jdma.kernel.mm.DirectMap;
/** Checklist rows 37-39 and seed bug 8. */
class MappingTableTest {

    private final MappingTable table = new MappingTable();

    @Test
    void shouldHoldSixtyFourMappingsAndRefuseTheNext() {
        for (int i = 0; i < 64; i++) {
            assertTrue(table.map(0x1000_0000L + i * 0x1000L, 0x20_0000L + i * 0x1000L, 0x1000), "map " + i);
            assertEquals(i + 1, table.mappingCount());
        }
        assertFalse(table.map(0x9000_0000L, 0x1000, 0x1000));
        assertEquals(64, table.mappingCount());
    }

    @Test
    void shouldTranslateEveryByteOfTheRangeAndNothingOutside() {
        assertTrue(table.map(0x1000_0000L, 0x1000, 4096 * 3));
        assertEquals(OptionalLong.of(0x1000), table.translate(0x1000_0000L));
        assertEquals(OptionalLong.of(0x1000 + 5000), table.translate(0x1000_0000L + 5000));
        assertEquals(OptionalLong.of(0x1000 + 4096 * 3 - 1), table.translate(0x1000_0000L + 4096 * 3 - 1));
        assertEquals(OptionalLong.empty(), table.translate(0x1000_0000L + 4096 * 3));
        assertEquals(OptionalLong.empty(), table.translate(0x1000_0000L - 1));
    }

    @Test
    void shouldTranslateKernelVirtualAddressesAsUnsigned() {
        long virt = DirectMap.virtualOf(0x4000);
        assertTrue(table.map(virt, 0x4000, 0x2000));
        assertEquals(OptionalLong.of(0x5FFF), table.translate(virt + 0x1FFF));
        assertEquals(OptionalLong.empty(), table.translate(0x1FFF));
    }

    @Test
    void shouldRejectRangesThatWrapOrAreEmpty() {
        assertThrows(IllegalArgumentException.class, () -> table.map(-4096, 0x1000, 8192));
        assertThrows(IllegalArgumentException.class, () -> table.map(0x1000, -4096, 8192));
        assertThrows(IllegalArgumentException.class, () -> table.map(0x1000, 0x1000, 0));
        assertThrows(IllegalArgumentException.class, () -> table.map(0x1000, 0x1000, -1));
        assertTrue(table.map(-4096, 0x1000, 4096), "the last page of the address space does not wrap");
        assertEquals(1, table.mappingCount());
    }

    @Test
    void shouldRejectOverlappingRanges() {
        assertTrue(table.map(0x10_000, 0x1000, 0x2000));
        var e = assertThrows(IllegalStateException.class, () -> table.map(0x11_000, 0x8000, 0x2000));
        assertTrue(e.getMessage().contains("0x10000"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> table.map(0xF_000, 0x8000, 0x1001));
        assertTrue(table.map(0x12_000, 0x8000, 0x1000), "adjacent is not overlapping");
        assertEquals(2, table.mappingCount());
    }

    @Test
    void shouldFreeTheSlotOnUnmap() {
        assertTrue(table.map(0x10_000, 0x1000, 0x1000));
        assertFalse(table.unmap(0x10_001), "only the exact base unmaps");
        assertTrue(table.unmap(0x10_000));
        assertFalse(table.unmap(0x10_000));
        assertEquals(OptionalLong.empty(), table.translate(0x10_000));
        for (int cycle = 0; cycle < 1000; cycle++) {
            for (int i = 0; i < 64; i++) {
                assertTrue(table.map(i * 0x1000L, 0x100_000 + cycle, 0x1000), "cycle " + cycle + " map " + i);
            }
            for (int i = 0; i < 64; i++) {
                assertTrue(table.unmap(i * 0x1000L));
            }
        }
        assertEquals(0, table.mappingCount());
    }

    @Test
    void shouldNeverGiveOneSlotToTwoConcurrentMaps() throws InterruptedException {
        int threads = 8;
        int perThread = 16;
        AtomicInteger accepted = new AtomicInteger();
        Workers.run(threads, id -> {
            for (int i = 0; i < perThread; i++) {
                long virt = (id * perThread + i) * 0x10_000L;
                if (table.map(virt, virt + 0x1_0000_0000L, 0x1000)) {
                    accepted.incrementAndGet();
                }
            }
        });
        assertEquals(64, accepted.get(), "exactly the 64 slots were handed out");
        assertEquals(64, table.mappingCount());
        int translating = 0;
        for (int k = 0; k < threads * perThread; k++) {
            long virt = k * 0x10_000L;
            OptionalLong p = table.translate(virt);
            if (p.isPresent()) {
                assertEquals(virt + 0x1_0000_0000L, p.getAsLong());
                translating++;
            }
        }
        assertEquals(64, translating, "every accepted mapping is still there");
    }
}
