package org.jdma.kernel.iommu.vtd;

import java.util.OptionalLong;
import org.jdma.platform.Cpu;

/**
 * An independent second-level walk (VT-d spec §3.7) written from the spec, not from the driver's
 * code, reading memory as the unit would (through the CPU view of RAM). Returns the physical
 * address, or empty when not present; {@code write} asks for W, else R.
 */
final class SoftwareWalker {
    private SoftwareWalker() { }

    private static final long R = 1;
    private static final long W = 2;
    private static final long PS = 1 << 7;
    private static final long ADDR = 0x000F_FFFF_FFFF_F000L;

    static OptionalLong walk(Cpu cpu, long root, int levels, long iova, boolean write) {
        long table = root;
        for (int l = levels; l >= 1; l--) {
            int shift = 12 + 9 * (l - 1);
            long e = cpu.read64(table + ((iova >>> shift) & 511) * 8);
            if ((e & (R | W)) == 0) {
                return OptionalLong.empty();
            }
            if (l == 1 || (e & PS) != 0) {
                if ((e & (write ? W : R)) == 0) {
                    return OptionalLong.empty();
                }
                long size = 1L << shift;
                return OptionalLong.of((e & ADDR & ~(size - 1)) + (iova & (size - 1)));
            }
            table = e & ADDR;
        }
        return OptionalLong.empty();
    }

    /** Level of the leaf that maps {@code iova} (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB), or 0. */
    static int leafLevel(Cpu cpu, long root, int levels, long iova) {
        long table = root;
        for (int l = levels; l >= 1; l--) {
            int shift = 12 + 9 * (l - 1);
            long e = cpu.read64(table + ((iova >>> shift) & 511) * 8);
            if ((e & (R | W)) == 0) {
                return 0;
            }
            if (l == 1 || (e & PS) != 0) {
                return l;
            }
            table = e & ADDR;
        }
        return 0;
    }
}
