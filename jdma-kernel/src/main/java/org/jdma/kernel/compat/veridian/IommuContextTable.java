package org.jdma.kernel.compat.veridian;

import static org.jdma.spec.vtd.VtdContextEntryLayout.*;

import org.jdma.platform.Cpu;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.jdma.spec.vtd.VtdRootEntryLayout;

/**
 * VeridianOS's {@code IommuContextTable} ({@code phys_addr}, {@code bus}: "256 entries per PCI bus,
 * page-aligned; each entry maps a device:function to a DMA domain"), which in VeridianOS was data
 * only. Here it is a view of a real context table in physical memory: entries indexed
 * {@code dev * 8 + fn} in the format of {@link VtdContextEntryLayout}, read and written through
 * the CPU. The VT-d driver owns the tables it programs; this view is for reading them (and for
 * tests that build one).
 */
public final class IommuContextTable {

    /** One decoded context entry (VT-d spec §9.3). */
    public record ContextEntry(boolean present, boolean faultProcessingDisable, int translationType,
                               long secondLevelPointer, int addressWidth, int domainId) {
        public ContextEntry {
            if (translationType < 0 || translationType > TT_RESERVED) {
                throw new IllegalArgumentException("translation type must be 0..3, was " + translationType);
            }
            if ((secondLevelPointer & ~LO_SLPTPTR_MASK) != 0) {
                throw new IllegalArgumentException(String.format("second-level pointer %#x is not 4 KiB aligned", secondLevelPointer));
            }
            if (addressWidth < 0 || addressWidth > HI_AW_MASK) {
                throw new IllegalArgumentException("AW must be 0..7, was " + addressWidth);
            }
            if (domainId < 0 || domainId > 0xFFFF) {
                throw new IllegalArgumentException("domain id must be 0..65535, was " + domainId);
            }
        }

        public static ContextEntry decode(long lo, long hi) {
            return new ContextEntry((lo & LO_P) != 0, (lo & LO_FPD) != 0, VtdContextEntryLayout.tt(lo), lo & LO_SLPTPTR_MASK,
                    VtdContextEntryLayout.aw(hi), VtdContextEntryLayout.domainId(hi));
        }

        public long lo() {
            return VtdContextEntryLayout.lo(secondLevelPointer, translationType, faultProcessingDisable, present);
        }

        public long hi() {
            return VtdContextEntryLayout.hi(domainId, addressWidth);
        }
    }

    private final Cpu cpu;
    private final long physAddr;
    private final int bus;

    /**
     * @param physAddr the table's 4 KiB-aligned physical address
     * @param bus      the PCI bus whose devices it describes (0..255)
     */
    public IommuContextTable(Cpu cpu, long physAddr, int bus) {
        if ((physAddr & (VtdContextEntryLayout.TABLE_BYTES - 1)) != 0) {
            throw new IllegalArgumentException(String.format("context table address %#x is not 4 KiB aligned", physAddr));
        }
        if (bus < 0 || bus > 0xFF) {
            throw new IllegalArgumentException("bus must be 0..255, was " + bus);
        }
        this.cpu = java.util.Objects.requireNonNull(cpu, "cpu");
        this.physAddr = physAddr;
        this.bus = bus;
    }

    /** The context table of {@code bus} that the root table at {@code rootTable} points to, if its root entry is present. */
    public static java.util.Optional<IommuContextTable> fromRootTable(Cpu cpu, long rootTable, int bus) {
        long lo = cpu.read64(rootTable + VtdRootEntryLayout.offsetOf(bus) + VtdRootEntryLayout.LO);
        if ((lo & VtdRootEntryLayout.LO_P) == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new IommuContextTable(cpu, lo & VtdRootEntryLayout.LO_CTP_MASK, bus));
    }

    public long physAddr() {
        return physAddr;
    }

    public int bus() {
        return bus;
    }

    /** @throws IllegalArgumentException when dev is not 0..31 or fn not 0..7 */
    public ContextEntry read(int dev, int fn) {
        long at = physAddr + VtdContextEntryLayout.offsetOf(dev, fn);
        return ContextEntry.decode(cpu.read64(at + LO), cpu.read64(at + HI));
    }

    /** Writes the entry, high half first so a present bit is never seen with a stale domain id. */
    public void write(int dev, int fn, ContextEntry e) {
        long at = physAddr + VtdContextEntryLayout.offsetOf(dev, fn);
        cpu.write64(at + HI, e.hi());
        cpu.write64(at + LO, e.lo());
    }
}
