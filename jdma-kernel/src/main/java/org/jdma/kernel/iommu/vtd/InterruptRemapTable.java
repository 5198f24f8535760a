package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import java.util.BitSet;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdIrteLayout;

/**
 * One unit's interrupt remapping table (VT-d §9.10) as Linux's {@code irq_remapping.c} keeps it:
 * {@value #ENTRIES} zeroed entries ({@code IRTA.S} = {@value #SIZE_FIELD}), a bitmap allocator of
 * naturally aligned power-of-two blocks, and the enable sequence (§10.4.4, one GCMD field per
 * write): IRTA, SIRTP and IRTPS, a global IEC, IRE and IRES, then CFI cleared if firmware left it
 * set, so compatibility-format requests are blocked. Every entry change is written (upper half
 * first, so the present bit lands last), then invalidated in the entry cache by index (IM 0); a
 * freed block by its mask.
 *
 * <p>Entries are remapped format, xAPIC mode (the unit has no ECAP.EIM): fixed delivery, physical
 * destination, edge, RH clear; source validation SVT 01, SQ 00 with the device's own requester id
 * (every PCI function on this machine masters the bus with its own id; a function behind a
 * PCIe-to-PCI bridge would need SVT 10 with the bridge's bus range, Linux {@code set_msi_sid}).
 *
 * <p>Not thread-safe: the owning {@link VtdUnitDriver} serialises every call.
 */
final class InterruptRemapTable {

    /** IRTA.S: 2^(S+1) entries. 11: 4096 entries, 64 KiB (Linux uses 65536; no machine here has that many vectors). */
    static final int SIZE_FIELD = 11;
    static final int ENTRIES = 2 << SIZE_FIELD;
    private static final int ORDER = Integer.numberOfTrailingZeros(ENTRIES * VtdIrteLayout.SIZE / FrameAllocator.FRAME_SIZE);

    private final UnitRegisters regs;
    private final TableMemory memory;
    private final QueuedInvalidator queue;
    private final BitSet used = new BitSet(ENTRIES);
    private long table;
    private long entryWrites;

    InterruptRemapTable(UnitRegisters regs, TableMemory memory, QueuedInvalidator queue) {
        this.regs = regs;
        this.memory = memory;
        this.queue = queue;
    }

    /** Allocates the table and turns interrupt remapping on; compatibility requests end up blocked. */
    void enable() {
        table = memory.allocatePages(ORDER);
        regs.write64(IRTA, table | SIZE_FIELD);
        regs.oneShot(GCMD_SIRTP, "GSTS.IRTPS after GCMD.SIRTP");
        queue.interruptEntryCache(true, 0, 0); // the unit may hold entries of an earlier table
        regs.persistent(GCMD_IRE, true, "GSTS.IRES after GCMD.IRE");
        if ((regs.read32(GSTS) & GCMD_CFI) != 0) {
            // A separate write: one GCMD field at a time (Linux's 2020 fix splitting IRE and CFI).
            regs.persistent(GCMD_CFI, false, "GSTS.CFIS clear after GCMD.CFI = 0");
        }
    }

    /** Turns interrupt remapping off (global IEC first, as Linux) and frees the table. */
    void disable() {
        queue.interruptEntryCache(true, 0, 0);
        regs.persistent(GCMD_IRE, false, "GSTS.IRES clear after GCMD.IRE = 0");
        memory.freePages(table, ORDER);
        table = 0;
    }

    long table() {
        return table;
    }

    /** A free naturally aligned block of the smallest power of two holding {@code count}; its first index. */
    int allocate(int count, String owner) {
        int size = blockSize(count);
        for (int first = 0; first + size <= ENTRIES; first += size) {
            int next = used.nextSetBit(first);
            if (next < 0 || next >= first + size) {
                used.set(first, first + size);
                return first;
            }
        }
        throw new IllegalStateException(String.format("VT-d unit %#x: no %d free interrupt remapping entries for %s (table of %d)",
                regs.base(), size, owner, ENTRIES));
    }

    /** Size of the block {@link #allocate} made for {@code count}. */
    static int blockSize(int count) {
        return count <= 1 ? 1 : Integer.highestOneBit(count - 1) << 1;
    }

    /** Points entry {@code index} at {@code vector} on APIC id {@code apicId}, from {@code device} only; invalidates it. */
    void write(int index, int vector, int apicId, RequesterId device) {
        long at = table + (long) index * VtdIrteLayout.SIZE;
        memory.write128(at, VtdIrteLayout.lo(vector, apicId, false),
                VtdIrteLayout.hi(device.sourceId(), 0, VtdIrteLayout.SVT_REQUESTER_ID));
        entryWrites++;
        queue.interruptEntryCache(false, index, 0);
    }

    /** Zeroes the block at {@code first}, invalidates it with its mask, and frees it. */
    void free(int first, int count) {
        int size = blockSize(count);
        for (int i = first; i < first + size; i++) {
            memory.write128(table + (long) i * VtdIrteLayout.SIZE, 0, 0);
        }
        queue.interruptEntryCache(false, first, Integer.numberOfTrailingZeros(size));
        used.clear(first, first + size);
    }

    /** Entries in use. */
    int inUse() {
        return used.cardinality();
    }

    long entryWrites() {
        return entryWrites;
    }
}
