package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeStatus.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.nvme.PrpLayout;
import org.jdma.spec.nvme.SglDescriptorLayout;

/**
 * Walks a command's data pointer into a {@link Transfer}: PRP1/PRP2 and PRP lists chained through
 * their last entry (NVMe base spec §4.3), or an SGL from the descriptor in DPTR through Segment
 * and Last Segment lists (§4.4). Lists are read by DMA through the controller's port. Each walk
 * returns {@link org.jdma.spec.nvme.NvmeStatus#SUCCESS} or the status the spec gives the command
 * (see {@link PrpLayout} and {@link SglDescriptorLayout}); nothing here throws on bad input.
 */
final class DataPointers {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Descriptors read from a segment at a time. */
    private static final int SGL_CHUNK = 256;
    /** Segments followed before a list is called malformed (a segment that points to itself loops). */
    static final int MAX_SGL_SEGMENTS = 4096;

    private final DmaPort port;
    private final MemorySegment list;
    private final MemorySegment descriptor = MemorySegment.ofArray(new byte[SglDescriptorLayout.SIZE]);

    DataPointers(DmaPort port) {
        this.port = port;
        this.list = MemorySegment.ofArray(new byte[64 * 1024]);
    }

    /** The PRP walk for {@code length} bytes with pages of {@code page} bytes. */
    int prp(long prp1, long prp2, long length, long page, Transfer out) {
        out.clear();
        if ((prp1 & PrpLayout.DWORD_MASK) != 0) {
            return PRP_OFFSET_INVALID;
        }
        long first = Math.min(length, PrpLayout.firstLength(prp1, page));
        out.add(prp1, first);
        long rest = length - first;
        if (rest == 0) {
            return SUCCESS;
        }
        if (rest <= page) {
            if (PrpLayout.offset(prp2, page) != 0) {
                return PRP_OFFSET_INVALID;
            }
            out.add(prp2, rest);
            return SUCCESS;
        }
        long listAddress = prp2;
        if ((listAddress & PrpLayout.DWORD_MASK) != 0 || PrpLayout.entriesInListPage(listAddress, page) == 0) {
            return PRP_OFFSET_INVALID; // not dword aligned, or too near its page's end to hold one entry
        }
        while (rest > 0) {
            int room = PrpLayout.entriesInListPage(listAddress, page);
            long needed = (rest + page - 1) / page;
            boolean last = needed <= room;
            int n = last ? (int) needed : room;
            DmaResult r = port.read(listAddress, list, 0, (long) n * PrpLayout.ENTRY_SIZE);
            if (!r.isOk()) {
                return DATA_TRANSFER_ERROR;
            }
            int data = last ? n : n - 1;
            for (int i = 0; i < data; i++) {
                long e = list.get(LE_LONG, (long) i * PrpLayout.ENTRY_SIZE);
                if (PrpLayout.offset(e, page) != 0) {
                    return PRP_OFFSET_INVALID;
                }
                long len = Math.min(page, rest);
                out.add(e, len);
                rest -= len;
            }
            if (!last) {
                listAddress = list.get(LE_LONG, (long) (n - 1) * PrpLayout.ENTRY_SIZE);
                if (PrpLayout.offset(listAddress, page) != 0) {
                    return PRP_OFFSET_INVALID;
                }
            }
        }
        return SUCCESS;
    }

    /**
     * The SGL walk for {@code length} bytes from the 16 bytes of DPTR in {@code sqe} at
     * {@code dptr}. {@code read}: the controller writes host memory (bit buckets allowed).
     */
    int sgl(MemorySegment sqe, long dptr, long length, boolean read, Transfer out) {
        out.clear();
        long address = sqe.get(LE_LONG, dptr + SglDescriptorLayout.ADDRESS);
        long len = sqe.get(LE_INT, dptr + SglDescriptorLayout.LENGTH) & 0xFFFF_FFFFL;
        int id = sqe.get(ValueLayout.JAVA_BYTE, dptr + SglDescriptorLayout.IDENTIFIER) & 0xFF;
        if (SglDescriptorLayout.subtype(id) != SglDescriptorLayout.SUBTYPE_ADDRESS) {
            return SGL_DESCRIPTOR_TYPE_INVALID;
        }
        switch (SglDescriptorLayout.type(id)) {
            case SglDescriptorLayout.TYPE_DATA_BLOCK -> out.add(address, len);
            case SglDescriptorLayout.TYPE_SEGMENT, SglDescriptorLayout.TYPE_LAST_SEGMENT -> {
                int s = segments(address, len, SglDescriptorLayout.type(id) == SglDescriptorLayout.TYPE_LAST_SEGMENT, read, out);
                if (s != SUCCESS) {
                    return s;
                }
            }
            case SglDescriptorLayout.TYPE_BIT_BUCKET -> {
                return INVALID_SGL_SEGMENT_DESCRIPTOR;
            }
            default -> {
                return SGL_DESCRIPTOR_TYPE_INVALID;
            }
        }
        return out.bytes() == length ? SUCCESS : DATA_SGL_LENGTH_INVALID;
    }

    private int segments(long address, long len, boolean lastSegment, boolean read, Transfer out) {
        for (int followed = 0; followed < MAX_SGL_SEGMENTS; followed++) {
            if (len == 0 || len % SglDescriptorLayout.SIZE != 0) {
                return INVALID_SGL_SEGMENT_DESCRIPTOR;
            }
            long count = len / SglDescriptorLayout.SIZE;
            long nextAddress = 0;
            long nextLength = 0;
            int nextType = -1;
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(SGL_CHUNK, count - done);
                DmaResult r = port.read(address + done * SglDescriptorLayout.SIZE, list, 0, (long) n * SglDescriptorLayout.SIZE);
                if (!r.isOk()) {
                    return DATA_TRANSFER_ERROR;
                }
                for (int i = 0; i < n; i++) {
                    long at = (long) i * SglDescriptorLayout.SIZE;
                    long a = list.get(LE_LONG, at + SglDescriptorLayout.ADDRESS);
                    long l = list.get(LE_INT, at + SglDescriptorLayout.LENGTH) & 0xFFFF_FFFFL;
                    int id = list.get(ValueLayout.JAVA_BYTE, at + SglDescriptorLayout.IDENTIFIER) & 0xFF;
                    boolean lastInList = done + i == count - 1;
                    if (SglDescriptorLayout.subtype(id) != SglDescriptorLayout.SUBTYPE_ADDRESS) {
                        return SGL_DESCRIPTOR_TYPE_INVALID;
                    }
                    switch (SglDescriptorLayout.type(id)) {
                        case SglDescriptorLayout.TYPE_DATA_BLOCK -> out.add(a, l);
                        case SglDescriptorLayout.TYPE_BIT_BUCKET -> {
                            if (!read) {
                                return SGL_DESCRIPTOR_TYPE_INVALID;
                            }
                            out.addBucket(l);
                        }
                        case SglDescriptorLayout.TYPE_SEGMENT, SglDescriptorLayout.TYPE_LAST_SEGMENT -> {
                            if (lastSegment) {
                                return INVALID_SGL_SEGMENT_DESCRIPTOR;
                            }
                            if (!lastInList) {
                                return INVALID_NUMBER_OF_SGL_DESCRIPTORS;
                            }
                            nextAddress = a;
                            nextLength = l;
                            nextType = SglDescriptorLayout.type(id);
                        }
                        default -> {
                            return SGL_DESCRIPTOR_TYPE_INVALID;
                        }
                    }
                }
                done += n;
            }
            if (nextType < 0) {
                return SUCCESS;
            }
            address = nextAddress;
            len = nextLength;
            lastSegment = nextType == SglDescriptorLayout.TYPE_LAST_SEGMENT;
        }
        return INVALID_SGL_SEGMENT_DESCRIPTOR;
    }
}
