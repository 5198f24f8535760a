package org.jdma.machine.iommu.vtd;

import static org.jdma.machine.iommu.vtd.VtdFixture.DEVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeMap;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.AddressTranslator.Translation;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mappings of 4 KiB, 2 MiB and 1 GiB pages with random permissions, in 3- and
 * 4-level tables: every probe translates exactly as a flat model of the mappings says, through the
 * IOTLB or a fresh walk.
 */
class VtdRandomWalkTest {

    record Page(long iova, long size, long phys, boolean read, boolean write) { }

    @Test
    void shouldTranslateEveryProbeAsTheMappingsSay() {
        for (long seed = 1; seed <= 6; seed++) {
            check(seed, seed % 2 == 0 ? VtdContextEntryLayout.AW_48_BIT : VtdContextEntryLayout.AW_39_BIT);
        }
    }

    private static void check(long seed, int aw) {
        SplittableRandom r = new SplittableRandom(seed);
        String why = "seed " + seed + ", AW " + aw;
        try (VtdFixture f = new VtdFixture()) {
            f.setRootTable();
            long top = f.translatedContext(1, aw);
            f.enableTranslation();
            int levels = aw + 2;
            TreeMap<Long, Page> pages = new TreeMap<>();
            int[] shifts = {12, 21, 30};
            for (int i = 0; i < 40; i++) {
                int level = 1 + r.nextInt(3);
                long size = 1L << shifts[level - 1];
                // Each mapping in its own 1 GiB slot of the 39-bit space, so levels never collide.
                long slot = r.nextLong(1, 511) << 30;
                long iova = slot + (level == 3 ? 0 : r.nextLong(0, (1L << 30) / size) * size);
                if (pages.floorKey(iova | ((1L << 30) - 1)) != null
                        && pages.floorKey(iova | ((1L << 30) - 1)) >= slot) {
                    continue; // slot taken
                }
                long phys = r.nextLong(0, 1L << (38 - shifts[level - 1])) << shifts[level - 1];
                boolean read = r.nextBoolean();
                boolean write = !read || r.nextBoolean();
                f.map(top, levels, iova, phys, level, read, write);
                pages.put(iova, new Page(iova, size, phys, read, write));
            }
            for (int i = 0; i < 400; i++) {
                long iova;
                if (r.nextInt(4) == 0) {
                    iova = r.nextLong(0, 1L << 39);
                } else {
                    Page p = (Page) pages.values().toArray()[r.nextInt(pages.size())];
                    iova = p.iova + r.nextLong(0, p.size);
                }
                boolean write = r.nextBoolean();
                var e = pages.floorEntry(iova);
                Page p = e != null && iova < e.getValue().iova + e.getValue().size ? e.getValue() : null;
                Translation t = f.unit.translate(DEVICE, iova, 1 << 20, write ? Access.WRITE : Access.READ);
                String at = why + ", probe " + i + " at 0x" + Long.toHexString(iova) + (write ? " write" : " read");
                if (p == null || (write ? !p.write : !p.read)) {
                    int expected = (write ? VtdFaultReason.WRITE_NOT_PERMITTED : VtdFaultReason.READ_NOT_PERMITTED).code();
                    assertEquals(expected, reasonCode(t), at);
                } else if (org.jdma.spec.msi.MsiMessageLayout.isInterruptAddress(p.phys + (iova - p.iova))) {
                    assertEquals(VtdFaultReason.INTERRUPT_ADDRESS.code(), reasonCode(t), at);
                } else {
                    assertFalse(t.faulted(), at);
                    assertEquals(p.phys + (iova - p.iova), t.physical(), at);
                    assertEquals(Math.min(1 << 20, p.iova + p.size - iova), t.length(), at);
                }
            }
        }
    }

    /** The VT-d fault reason code of a refused translation. */
    private static int reasonCode(Translation t) {
        assertTrue(t.faulted(), "expected a fault, got " + t);
        return t.detail().code();
    }
}
