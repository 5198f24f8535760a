package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.machine.dev.nvme.NvmeRig.sqe;
import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jdma.spec.nvme.DsmRangeLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Namespaces: block sizes, ranges, zeroes and deallocation, and data that survives a restart when file-backed. */
class NvmeNamespaceTest {

    static final long PAGE = 4096;

    static int run(NvmeRig rig, NvmeRig.Pair p, Sqe e) {
        rig.submit(p, e);
        return rig.await(p).status();
    }

    static byte[] read(NvmeRig rig, NvmeRig.Pair p, int nsid, long slba, int blocks, int lba) {
        long out = DATA + 0x200000;
        rig.cpu.fill(out, (long) blocks * lba, (byte) 0x77);
        assertEquals(SUCCESS, run(rig, p, rw(NVM_READ, slba, blocks, out, out + PAGE).nsid(nsid)));
        byte[] b = new byte[blocks * lba];
        rig.cpu.read(out, b);
        return b;
    }

    @Test
    void shouldAddressBlocksOf512And4096BytesAndRefuseRangesBeyondTheEnd() {
        NvmeConfig config = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(512, 64), NamespaceSpec.memory(4096, 8));
        try (NvmeRig rig = new NvmeRig(config).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] page = NvmeDataPointerTest.pattern(4096, 7);
            rig.cpu.write(DATA, page);
            assertEquals(SUCCESS, run(rig, p, rw(NVM_WRITE, 56, 8, DATA, 0).nsid(1)), "the last 8 blocks of 512");
            assertEquals(SUCCESS, run(rig, p, rw(NVM_WRITE, 7, 1, DATA, 0).nsid(2)), "the last block of 4096");
            assertArrayEquals(page, read(rig, p, 1, 56, 8, 512));
            assertArrayEquals(page, read(rig, p, 2, 7, 1, 4096));
            assertEquals(LBA_OUT_OF_RANGE, run(rig, p, rw(NVM_READ, 57, 8, DATA, 0).nsid(1)));
            assertEquals(LBA_OUT_OF_RANGE, run(rig, p, rw(NVM_READ, 8, 1, DATA, 0).nsid(2)));
            assertEquals(LBA_OUT_OF_RANGE, run(rig, p, rw(NVM_READ, -1L, 2, DATA, 0).nsid(2)), "SLBA + NLB wraps");
            assertEquals(INVALID_NAMESPACE, run(rig, p, rw(NVM_READ, 0, 1, DATA, 0).nsid(3)));
            assertEquals(INVALID_OPCODE, run(rig, p, sqe(0x7C).nsid(1)));
        }
    }

    @Test
    void shouldRefuseTransfersAboveMdts() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            // MDTS 5: 128 KiB = 256 blocks of 512
            assertEquals(INVALID_FIELD, run(rig, p, rw(NVM_READ, 0, 257, DATA, NvmeRig.LISTS)));
        }
    }

    @Test
    void shouldReadZeroesAfterWriteZeroesAndAfterDeallocate() {
        try (NvmeRig rig = new NvmeRig().busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            byte[] data = NvmeDataPointerTest.pattern(8192, 8);
            rig.cpu.write(DATA, data);
            assertEquals(SUCCESS, run(rig, p, rw(NVM_WRITE, 0, 16, DATA, DATA + PAGE)));
            assertEquals(SUCCESS, run(rig, p, sqe(NVM_WRITE_ZEROES).nsid(1).cdw64(10, 2).cdw(12, 1)));
            byte[] got = read(rig, p, 1, 0, 16, 512);
            byte[] want = data.clone();
            java.util.Arrays.fill(want, 1024, 2048, (byte) 0);
            assertArrayEquals(want, got, "blocks 2 and 3 are zero, the rest as written");
            long ranges = NvmeRig.LISTS;
            rig.cpu.write32(ranges + DsmRangeLayout.LENGTH, 4);
            rig.cpu.write64(ranges + DsmRangeLayout.SLBA, 8);
            rig.cpu.write32(ranges + DsmRangeLayout.SIZE + DsmRangeLayout.LENGTH, 1);
            rig.cpu.write64(ranges + DsmRangeLayout.SIZE + DsmRangeLayout.SLBA, 15);
            assertEquals(SUCCESS, run(rig, p, sqe(NVM_DATASET_MANAGEMENT).nsid(1).prp1(ranges).cdw(10, 1).cdw(11, DSM_AD)));
            java.util.Arrays.fill(want, 8 * 512, 12 * 512, (byte) 0);
            java.util.Arrays.fill(want, 15 * 512, 16 * 512, (byte) 0);
            assertArrayEquals(want, read(rig, p, 1, 0, 16, 512));
            rig.cpu.write64(ranges + DsmRangeLayout.SLBA, 1L << 40);
            assertEquals(LBA_OUT_OF_RANGE, run(rig, p, sqe(NVM_DATASET_MANAGEMENT).nsid(1).prp1(ranges).cdw(10, 0).cdw(11, DSM_AD)));
        }
    }

    @Test
    void shouldKeepFileBackedDataAcrossARestartOfTheMachine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ns1.img");
        NvmeConfig config = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.file(4096, 256, file));
        byte[] data = NvmeDataPointerTest.pattern(8192, 9);
        try (NvmeRig rig = new NvmeRig(config).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            rig.cpu.write(DATA, data);
            assertEquals(SUCCESS, run(rig, p, rw(NVM_WRITE, 100, 2, DATA, DATA + PAGE)));
            assertEquals(SUCCESS, run(rig, p, sqe(NVM_FLUSH).nsid(1)));
        }
        assertEquals(256 * 4096, Files.size(file));
        byte[] onDisk = Files.readAllBytes(file);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(onDisk, 100 * 4096, 102 * 4096), "in the file at LBA 100");
        try (NvmeRig rig = new NvmeRig(config).busMaster().msix(2).enable()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            assertArrayEquals(data, read(rig, p, 1, 100, 2, 4096), "read back by a new machine");
        }
    }
}
