package org.jdma.kernel.drivers.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.jdma.kernel.dma.pool.DmaPool;
import org.jdma.platform.Cpu;
import org.jdma.spec.nvme.PrpLayout;
import org.jdma.spec.nvme.SglDescriptorLayout;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * Builds a command's DPTR from its mapped segments as Linux's {@code nvme_pci_setup_prps} and
 * {@code nvme_pci_setup_sgls} do: PRP1, PRP2 and PRP lists (from the "prp list 256" pool when at
 * most 32 entries follow PRP1, else page-sized lists chained through their last entry), or an SGL
 * (one inline Data Block, else a Last Segment pointing to a list in a pool block, lists chained by
 * Segment descriptors past 255 entries). The pool blocks it took go into {@code taken}, to be
 * freed on completion.
 */
final class DataPointerBuilder {

    static final long PAGE = 4096;
    /** Entries the small pool's 256-byte blocks hold. */
    static final int SMALL_ENTRIES = 256 / 8;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DmaPool small;
    private final DmaPool page;
    private final Cpu cpu;

    DataPointerBuilder(DmaPool small, DmaPool page, Cpu cpu) {
        this.small = small;
        this.page = page;
        this.cpu = cpu;
    }

    /** Whether PRPs can describe the segments: only the first may start, and only the last end, off a page boundary. */
    static boolean prpCapable(long[] address, long[] length, int n) {
        if ((address[0] & PrpLayout.DWORD_MASK) != 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (i > 0 && (address[i] & (PAGE - 1)) != 0) {
                return false;
            }
            if (i < n - 1 && ((address[i] + length[i]) & (PAGE - 1)) != 0) {
                return false;
            }
        }
        return true;
    }

    /** PRP1 and PRP2 into {@code sqe}; false when no pool memory could be had. */
    boolean prp(long[] address, long[] length, int n, MemorySegment sqe, List<DmaPool.Block> taken) {
        sqe.set(LE_LONG, SubmissionEntryLayout.PRP1, address[0]);
        int pages = 0;
        long prp2 = 0; // the page after PRP1's, if any
        for (int i = 0; i < n; i++) {
            for (long p = firstPage(address, i); p < address[i] + length[i]; p += PAGE) {
                if (pages++ == 0) {
                    prp2 = p;
                }
            }
        }
        if (pages <= 1) { // no list: PRP2 names the one page after PRP1's, or is unused
            sqe.set(LE_LONG, SubmissionEntryLayout.PRP2, prp2);
            return true;
        }
        long[] list = new long[pages];
        pages = 0;
        for (int i = 0; i < n; i++) {
            for (long p = firstPage(address, i); p < address[i] + length[i]; p += PAGE) {
                list[pages++] = p;
            }
        }
        DmaPool pool = pages <= SMALL_ENTRIES ? small : page;
        int perPage = (int) (pool.blockSize() / PrpLayout.ENTRY_SIZE);
        DmaPool.Block block = pool.alloc();
        if (block == null) {
            return false;
        }
        taken.add(block);
        sqe.set(LE_LONG, SubmissionEntryLayout.PRP2, block.dmaAddress());
        int slot = 0;
        for (int i = 0; i < pages; i++) {
            if (slot == perPage - 1 && i < pages - 1) { // the last slot chains to the next list page
                DmaPool.Block next = page.alloc();
                if (next == null) {
                    return false;
                }
                taken.add(next);
                cpu.write64(block.physical() + (long) slot * PrpLayout.ENTRY_SIZE, next.dmaAddress());
                block = next;
                perPage = (int) (page.blockSize() / PrpLayout.ENTRY_SIZE);
                slot = 0;
            }
            cpu.write64(block.physical() + (long) slot++ * PrpLayout.ENTRY_SIZE, list[i]);
        }
        return true;
    }

    /** The first page of segment {@code i} after PRP1's (which PRP1 itself names). */
    private static long firstPage(long[] address, int i) {
        return i == 0 ? (address[0] & -PAGE) + PAGE : address[i];
    }

    /** An SGL into {@code sqe} (PSDT 01); false when no pool memory could be had. */
    boolean sgl(long[] address, long[] length, int n, MemorySegment sqe, List<DmaPool.Block> taken) {
        sqe.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.FLAGS,
                (byte) SubmissionEntryLayout.flags(SubmissionEntryLayout.PSDT_SGL_MPTR_CONTIGUOUS));
        if (n == 1) {
            descriptor(sqe, SubmissionEntryLayout.DPTR, address[0], length[0], SglDescriptorLayout.TYPE_DATA_BLOCK);
            return true;
        }
        int perPage = (int) (page.blockSize() / SglDescriptorLayout.SIZE);
        DmaPool pool = n <= small.blockSize() / SglDescriptorLayout.SIZE ? small : page;
        DmaPool.Block block = pool.alloc();
        if (block == null) {
            return false;
        }
        taken.add(block);
        int inThis = Math.min(n, pool == small ? n : (n <= perPage ? n : perPage - 1));
        descriptor(sqe, SubmissionEntryLayout.DPTR, block.dmaAddress(), (long) (n <= inThis ? n : perPage) * SglDescriptorLayout.SIZE,
                n <= inThis ? SglDescriptorLayout.TYPE_LAST_SEGMENT : SglDescriptorLayout.TYPE_SEGMENT);
        int i = 0;
        while (true) {
            MemorySegment d = MemorySegment.ofArray(new byte[SglDescriptorLayout.SIZE]);
            for (int k = 0; k < inThis; k++, i++) {
                descriptor(d, 0, address[i], length[i], SglDescriptorLayout.TYPE_DATA_BLOCK);
                cpu.write(block.physical() + (long) k * SglDescriptorLayout.SIZE, d.toArray(ValueLayout.JAVA_BYTE));
            }
            if (i == n) {
                return true;
            }
            DmaPool.Block next = page.alloc();
            if (next == null) {
                return false;
            }
            taken.add(next);
            int rest = n - i;
            int nextCount = rest <= perPage ? rest : perPage - 1;
            descriptor(d, 0, next.dmaAddress(), (long) (rest <= perPage ? rest : perPage) * SglDescriptorLayout.SIZE,
                    rest <= perPage ? SglDescriptorLayout.TYPE_LAST_SEGMENT : SglDescriptorLayout.TYPE_SEGMENT);
            cpu.write(block.physical() + (long) inThis * SglDescriptorLayout.SIZE, d.toArray(ValueLayout.JAVA_BYTE));
            block = next;
            inThis = nextCount;
        }
    }

    private static void descriptor(MemorySegment s, long at, long address, long length, int type) {
        s.set(LE_LONG, at + SglDescriptorLayout.ADDRESS, address);
        s.set(LE_INT, at + SglDescriptorLayout.LENGTH, (int) length);
        s.set(ValueLayout.JAVA_BYTE, at + SglDescriptorLayout.IDENTIFIER, (byte) SglDescriptorLayout.identifier(type));
    }
}
