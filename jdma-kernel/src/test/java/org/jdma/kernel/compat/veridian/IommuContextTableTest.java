package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jdma.kernel.compat.veridian.IommuContextTable.ContextEntry;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;
import org.junit.jupiter.api.Test;

/** Checklist row 64: per-bus context table, 256 x 16-byte entries indexed dev*8+fn, fields round-trip. */
class IommuContextTableTest {

    @Test
    void shouldRoundTripEveryFieldOfRandomEntriesAtDevTimesEightPlusFn() {
        long seed = 0xC0_47E7L;
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Machine m = TestMachines.ramOnly()) {
            IommuContextTable t = new IommuContextTable(m.cpu(), 0x10_0000, 3);
            for (int i = 0; i < 200; i++) {
                int dev = rnd.nextInt(32);
                int fn = rnd.nextInt(8);
                ContextEntry e = new ContextEntry(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextInt(4),
                        rnd.nextLong(1L << 27) << 12, rnd.nextInt(8), rnd.nextInt(0x10000));
                t.write(dev, fn, e);
                assertEquals(e, t.read(dev, fn), "seed " + seed + " entry " + i);
                long at = 0x10_0000 + (dev * 8L + fn) * 16;
                assertEquals(e.present(), (m.cpu().read64(at) & 1) == 1, "P is bit 0 of entry dev*8+fn, seed " + seed);
                assertEquals(e.domainId(), VtdContextEntryLayout.domainId(m.cpu().read64(at + 8)), "seed " + seed);
            }
        }
    }

    @Test
    void shouldRejectDevicesAndFunctionsOutsideTheTable() {
        try (Machine m = TestMachines.ramOnly()) {
            IommuContextTable t = new IommuContextTable(m.cpu(), 0x10_0000, 0);
            assertThrows(IllegalArgumentException.class, () -> t.read(32, 0));
            assertThrows(IllegalArgumentException.class, () -> t.read(0, 8));
            assertThrows(IllegalArgumentException.class, () -> new IommuContextTable(m.cpu(), 0x10_0800, 0));
            assertThrows(IllegalArgumentException.class, () -> new IommuContextTable(m.cpu(), 0x10_0000, 256));
            assertThrows(IllegalArgumentException.class, () -> new ContextEntry(true, false, 0, 0x1234, 1, 1));
        }
    }

    @Test
    void shouldFollowAPresentRootEntryToItsBussContextTable() {
        try (Machine m = TestMachines.ramOnly()) {
            long root = 0x20_0000;
            m.cpu().write64(root + VtdRootEntryLayout.offsetOf(5), VtdRootEntryLayout.lo(0x30_0000, true));
            IommuContextTable t = IommuContextTable.fromRootTable(m.cpu(), root, 5).orElseThrow();
            assertEquals(0x30_0000, t.physAddr());
            assertEquals(5, t.bus());
            assertTrue(IommuContextTable.fromRootTable(m.cpu(), root, 4).isEmpty());
        }
    }
}
