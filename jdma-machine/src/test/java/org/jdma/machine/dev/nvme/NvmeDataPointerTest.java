package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.LISTS;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.spec.nvme.NvmeCommands.NVM_READ;
import static org.jdma.spec.nvme.NvmeCommands.NVM_WRITE;
import static org.jdma.spec.nvme.NvmeStatus.*;
import static org.jdma.spec.nvme.SglDescriptorLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PRP offset rules and list chaining, and every SGL descriptor type, walked by DMA with their errors. */
class NvmeDataPointerTest {

    static final long PAGE = 4096;

    static NvmeRig rig() {
        return new NvmeRig().busMaster().msix(2).enable();
    }

    static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} at LBA 0 through a single contiguous PRP-described buffer (PRP list where needed). */
    static void store(NvmeRig rig, NvmeRig.Pair p, byte[] data) {
        long buffer = 16 * NvmeRig.MiB;
        rig.cpu.write(buffer, data);
        int pages = data.length / (int) PAGE;
        long prp2 = 0;
        if (pages == 2) {
            prp2 = buffer + PAGE;
        } else if (pages > 2) {
            long list = LISTS + 0x10000;
            for (int i = 1; i < pages; i++) {
                rig.cpu.write64(list + 8L * (i - 1), buffer + i * PAGE);
            }
            prp2 = list;
        }
        assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_WRITE, 0, data.length / 512, buffer, prp2)));
    }

    static int submitAndWait(NvmeRig rig, NvmeRig.Pair p, Sqe e) {
        rig.submit(p, e);
        return rig.await(p).status();
    }

    @Test
    void shouldReadIntoPrp1AtAnOffsetAndPrp2AsTheSecondPage() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] data = pattern(8192, 1);
            rig.cpu.write(DATA, data);
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_WRITE, 0, 16, DATA, DATA + PAGE)));
            // 4 KiB read: PRP1 at offset 0x800 covers 2 KiB, PRP2 the other 2 KiB in another page
            long a = DATA + 0x10000 + 0x800;
            long b = DATA + 0x20000;
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_READ, 0, 8, a, b)));
            byte[] got = new byte[4096];
            rig.readInto(a, got, 0, 2048);
            rig.readInto(b, got, 2048, 2048);
            byte[] want = java.util.Arrays.copyOf(data, 4096);
            assertArrayEquals(want, got);
        }
    }

    @Test
    void shouldRefusePrpOffsetsTheSpecForbids() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            assertEquals(PRP_OFFSET_INVALID, submitAndWait(rig, p, rw(NVM_READ, 0, 8, DATA + 2, 0)), "PRP1 not dword aligned");
            assertEquals(PRP_OFFSET_INVALID, submitAndWait(rig, p, rw(NVM_READ, 0, 16, DATA, DATA + PAGE + 0x100)),
                    "PRP2 as a data page with an offset");
            rig.cpu.write64(LISTS, DATA + PAGE);
            rig.cpu.write64(LISTS + 8, DATA + 2 * PAGE + 0x200);
            assertEquals(PRP_OFFSET_INVALID, submitAndWait(rig, p, rw(NVM_READ, 0, 24, DATA, LISTS)), "a list entry with an offset");
            assertEquals(PRP_OFFSET_INVALID, submitAndWait(rig, p, rw(NVM_READ, 0, 24, DATA, LISTS + PAGE - 4)),
                    "a list pointer 4 bytes before its page's end: no room for one entry");
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_WRITE, 0, 8, DATA, 0)), "the queue goes on");
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_READ, 0, 8, DATA, 0)), "the queue goes on");
        }
    }

    @Test
    void shouldFollowAPrpListChainedAcrossAListPage() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] data = pattern(6 * (int) PAGE, 2);
            store(rig, p, data);
            // the list starts 16 bytes before a page end: two slots there, the second chains to the next list page
            long first = LISTS + PAGE - 16;
            long second = LISTS + 3 * PAGE;
            long[] pages = {DATA + 0x40000, DATA + 0x41000, DATA + 0x50000, DATA + 0x43000, DATA + 0x60000, DATA + 0x45000};
            rig.cpu.write64(first, pages[1]);
            rig.cpu.write64(first + 8, second);
            for (int i = 2; i < 6; i++) {
                rig.cpu.write64(second + 8L * (i - 2), pages[i]);
            }
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_READ, 0, 48, pages[0], first)));
            byte[] got = new byte[data.length];
            for (int i = 0; i < 6; i++) {
                rig.readInto(pages[i], got, i * (int) PAGE, (int) PAGE);
            }
            assertArrayEquals(data, got);
            rig.cpu.write64(first + 8, second + 0x10);
            assertEquals(PRP_OFFSET_INVALID, submitAndWait(rig, p, rw(NVM_READ, 0, 48, pages[0], first)),
                    "the next list page must be page aligned");
        }
    }

    @Test
    void shouldFailWithDataTransferErrorWhenAListCannotBeRead() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            long noMemory = 0x40_0000_0000L;
            assertEquals(DATA_TRANSFER_ERROR, submitAndWait(rig, p, rw(NVM_READ, 0, 24, DATA, noMemory)));
            assertEquals(DATA_TRANSFER_ERROR, submitAndWait(rig, p, rw(NVM_READ, 0, 8, noMemory, 0)), "a data page outside RAM");
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_READ, 0, 8, DATA, 0)));
            assertEquals(1, rig.nvme.dataTransferErrors(), "the list failure is a walk error; the data page one a refused data DMA");
        }
    }

    static Sqe sglRw(int opcode, int blocks, long address, int length, int type) {
        return rw(opcode, 0, blocks, 0, 0).sgl(address, length, type);
    }

    static void descriptor(NvmeRig rig, long at, long address, int length, int type) {
        rig.cpu.write64(at + ADDRESS, address);
        rig.cpu.write32(at + LENGTH, length);
        rig.cpu.write32(at + 12, identifier(type) << 24);
    }

    @Test
    void shouldMoveDataThroughAnInlineDataBlockAndThroughSegmentsInOrder() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] data = pattern(4 * (int) PAGE, 3);
            rig.cpu.write(DATA, data);
            assertEquals(SUCCESS, submitAndWait(rig, p, sglRw(NVM_WRITE, 32, DATA, data.length, TYPE_DATA_BLOCK)));
            // read back: segment (two data blocks + a last segment) -> last segment (one data block, 1000 + rest)
            long seg = LISTS;
            long last = LISTS + 0x2000;
            long[] at = {DATA + 0x100000, DATA + 0x200000 + 3, DATA + 0x300000};
            int[] len = {1000, 5000, data.length - 6000};
            descriptor(rig, seg, at[0], len[0], TYPE_DATA_BLOCK);
            descriptor(rig, seg + 16, at[1], len[1], TYPE_DATA_BLOCK);
            descriptor(rig, seg + 32, last, 16, TYPE_LAST_SEGMENT);
            descriptor(rig, last, at[2], len[2], TYPE_DATA_BLOCK);
            assertEquals(SUCCESS, submitAndWait(rig, p, sglRw(NVM_READ, 32, seg, 48, TYPE_SEGMENT)));
            byte[] got = new byte[data.length];
            int off = 0;
            for (int i = 0; i < 3; i++) {
                rig.readInto(at[i], got, off, len[i]);
                off += len[i];
            }
            assertArrayEquals(data, got, "byte-aligned SGL addresses and lengths");
        }
    }

    @Test
    void shouldDiscardReadDataFallingIntoABitBucket() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] data = pattern(8192, 4);
            rig.cpu.write(DATA, data);
            assertEquals(SUCCESS, submitAndWait(rig, p, rw(NVM_WRITE, 0, 16, DATA, DATA + PAGE)));
            long out = DATA + 0x100000;
            rig.cpu.fill(out, 8192, (byte) 0x5A);
            descriptor(rig, LISTS, 0, 4096, TYPE_BIT_BUCKET);
            descriptor(rig, LISTS + 16, out, 4096, TYPE_DATA_BLOCK);
            assertEquals(SUCCESS, submitAndWait(rig, p, sglRw(NVM_READ, 16, LISTS, 32, TYPE_LAST_SEGMENT)));
            byte[] got = new byte[4096];
            rig.cpu.read(out, got);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 4096, 8192), got, "the second half lands, the first is dropped");
            assertEquals(0x5A, rig.cpu.read8(out + 4096) & 0xFF, "nothing beyond");
            assertEquals(SGL_DESCRIPTOR_TYPE_INVALID, submitAndWait(rig, p, sglRw(NVM_WRITE, 16, LISTS, 32, TYPE_LAST_SEGMENT)),
                    "a bit bucket in a write");
        }
    }

    @Test
    void shouldRefuseMalformedSglsWithTheirStatusAndGoOn() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            assertEquals(DATA_SGL_LENGTH_INVALID, submitAndWait(rig, p, sglRw(NVM_READ, 8, DATA, 4000, TYPE_DATA_BLOCK)), "too short");
            assertEquals(INVALID_SGL_SEGMENT_DESCRIPTOR, submitAndWait(rig, p, sglRw(NVM_READ, 8, LISTS, 20, TYPE_SEGMENT)),
                    "segment length not a multiple of 16");
            assertEquals(SGL_DESCRIPTOR_TYPE_INVALID, submitAndWait(rig, p, sglRw(NVM_READ, 8, DATA, 4096, 0x7)), "unknown type");
            descriptor(rig, LISTS, LISTS + 0x1000, 16, TYPE_SEGMENT);
            descriptor(rig, LISTS + 16, DATA, 4096, TYPE_DATA_BLOCK);
            assertEquals(INVALID_NUMBER_OF_SGL_DESCRIPTORS, submitAndWait(rig, p, sglRw(NVM_READ, 8, LISTS, 32, TYPE_SEGMENT)),
                    "a segment descriptor that is not last in its list");
            descriptor(rig, LISTS, DATA, 2048, TYPE_DATA_BLOCK);
            descriptor(rig, LISTS + 16, LISTS + 0x1000, 16, TYPE_SEGMENT);
            assertEquals(INVALID_SGL_SEGMENT_DESCRIPTOR, submitAndWait(rig, p, sglRw(NVM_READ, 8, LISTS, 32, TYPE_LAST_SEGMENT)),
                    "a segment inside the last segment");
            descriptor(rig, LISTS + 0x3000, LISTS + 0x3000, 16, TYPE_SEGMENT); // points to itself
            assertEquals(INVALID_SGL_SEGMENT_DESCRIPTOR, submitAndWait(rig, p, sglRw(NVM_READ, 8, LISTS + 0x3000, 16, TYPE_SEGMENT)),
                    "a loop is bounded");
            assertEquals(DATA_TRANSFER_ERROR, submitAndWait(rig, p, sglRw(NVM_READ, 8, 0x40_0000_0000L, 16, TYPE_SEGMENT)),
                    "a segment outside memory");
            assertEquals(SUCCESS, submitAndWait(rig, p, sglRw(NVM_READ, 8, DATA, 4096, TYPE_DATA_BLOCK)));
        }
    }

    @Test
    void shouldRefuseSglsWhenTheControllerDoesNotOfferThem() {
        try (NvmeRig rig = new NvmeRig(NvmeConfig.DEFAULT.withSgls(false)).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            assertEquals(INVALID_FIELD, submitAndWait(rig, p, sglRw(NVM_READ, 8, DATA, 4096, TYPE_DATA_BLOCK)));
        }
    }
}
