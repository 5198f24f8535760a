package org.jdma.kernel.drivers.nvme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.dev.nvme.MediaTiming;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The NVMe driver on a machine with one controller: bring-up, a queue pair per CPU, data intact
 * over many random reads and writes (checksums) with every IOMMU mode and on a non-coherent
 * machine with the checker silent, PRP lists and SGLs, flush and trim, timeouts with Abort and reset.
 */
class NvmeDriverTest {

    static final RequesterId SLOT = RequesterId.of(0, 7, 0);
    static final long WAIT_NS = 5_000_000_000L;
    static final NvmeConfig SMALL = NvmeConfig.DEFAULT.withNamespaces(NamespaceSpec.memory(512, 16 * 1024));

    private Machine machine;
    private Kernel kernel;
    private NvmeDriver nvme;

    private NvmeDriver boot(IommuMode mode, boolean coherent, int cpus, NvmeConfig device, NvmeOptions options) {
        MachineConfig config = MachineConfig.defaults().withCpus(cpus).withDevice(NvmeController.spec("nvme0", SLOT, device));
        if (!coherent) {
            config = config.withCache(CacheConfig.nonCoherent(64));
        }
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(true).withDriver(NvmeDriver.driver(options)));
        nvme = kernel.driver(NvmeDriver.class);
        return nvme;
    }

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    private void finish() {
        kernel.close();
        kernel.dmaDebug().orElseThrow().assertNoReports();
        kernel = null;
    }

    private void await(List<BlockRequest> requests) {
        assertTrue(kernel.platform().clock().runUntil(() -> requests.stream().allMatch(BlockRequest::isDone), WAIT_NS),
                () -> "not done: " + requests.stream().filter(r -> !r.isDone()).toList());
    }

    private BlockRequest run(int queue, BlockRequest r) {
        assertTrue(nvme.submit(queue, r));
        await(List.of(r));
        return r;
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    @Test
    void shouldCreateAQueuePairPerCpuWithItsVectorOnThatCpu() {
        boot(IommuMode.STRICT, true, 4, SMALL, NvmeOptions.DEFAULTS);
        assertEquals(4, nvme.queues());
        assertEquals(512, nvme.blockSize());
        assertEquals(16 * 1024, nvme.blocks());
        assertEquals(256, nvme.maxBlocks(), "MDTS 5: 128 KiB");
        try (DmaBuffer buffer = kernel.memory().allocate(4096, 4096)) {
            for (int q = 0; q < 4; q++) {
                assertEquals(q, nvme.queueCpu(q));
                assertEquals(BlockStatus.OK, run(q, BlockRequest.of(BlockOp.READ, q, 8, 512, buffer, null)).status());
                assertEquals(1, nvme.interrupts(q), "queue " + q + "'s own vector");
            }
        }
        finish();
    }

    /** Writes random patterns at random LBAs on every queue (many in flight), then reads all back and compares checksums. */
    private void randomIo(int ios) {
        SplittableRandom random = new SplittableRandom(7);
        int slots = 64;
        int blocksPer = 8;
        List<DmaBuffer> buffers = new ArrayList<>();
        long[] lbas = new long[slots];
        long[] sums = new long[slots];
        List<BlockRequest> writes = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            DmaBuffer b = kernel.memory().allocate(blocksPer * 512, 4096);
            buffers.add(b);
            byte[] data = new byte[blocksPer * 512];
            random.nextBytes(data);
            b.write(0, data);
            sums[i] = crc(data);
            lbas[i] = (long) i * blocksPer + (long) slots * blocksPer * random.nextInt(4);
        }
        for (int round = 0; round * slots < ios; round++) {
            writes.clear();
            for (int i = 0; i < slots; i++) {
                BlockRequest w = BlockRequest.of(BlockOp.WRITE, lbas[i], blocksPer, 512, buffers.get(i), null);
                assertTrue(nvme.submit(i % nvme.queues(), w));
                writes.add(w);
            }
            await(writes);
            writes.forEach(w -> assertEquals(BlockStatus.OK, w.status(), w.toString()));
        }
        List<BlockRequest> reads = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            buffers.get(i).write(0, new byte[blocksPer * 512]);
            BlockRequest r = BlockRequest.of(BlockOp.READ, lbas[i], blocksPer, 512, buffers.get(i), null);
            assertTrue(nvme.submit(i % nvme.queues(), r));
            reads.add(r);
        }
        await(reads);
        for (int i = 0; i < slots; i++) {
            assertEquals(BlockStatus.OK, reads.get(i).status());
            byte[] got = new byte[blocksPer * 512];
            buffers.get(i).read(0, got);
            assertEquals(sums[i], crc(got), "slot " + i);
        }
        buffers.forEach(DmaBuffer::close);
        assertEquals(0, nvme.poolBlocksInUse());
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldKeepDataIntactOverManyRandomIosWithTheCheckerSilent(IommuMode mode) {
        boot(mode, true, 2, SMALL, NvmeOptions.DEFAULTS);
        randomIo(512);
        finish();
    }

    /**
     * With a strict IOMMU a completion's unmap waits for its invalidation, and the other CPU's
     * reaps run nested in that wait. Here every completion submits the next request, to either
     * queue in turn, so a nested one may take the CID that the waiting completion has just freed:
     * each request still completes once, with its own outcome.
     */
    @Test
    void shouldCompleteEachRequestOnceWhenSubmissionsNestInAStrictUnmap() {
        boot(IommuMode.STRICT, true, 2, SMALL, NvmeOptions.DEFAULTS);
        int total = 2_000;
        List<BlockRequest> all = new ArrayList<>();
        List<DmaBuffer> buffers = new ArrayList<>();
        int[] completions = new int[1];
        SplittableRandom random = new SplittableRandom(3);
        Consumer<BlockRequest> next = new Consumer<>() {
            @Override
            public void accept(BlockRequest done) {
                completions[0]++;
                if (all.size() < total) {
                    long buffer = done.data().get(0).physical(); // the one the completed request is done with
                    BlockRequest r = BlockRequest.read(8L * random.nextInt(2048), 8, new ScatterList().add(buffer, 4096), this);
                    all.add(r);
                    assertTrue(nvme.submit(all.size() % 2, r));
                }
            }
        };
        for (int i = 0; i < 32; i++) {
            DmaBuffer b = kernel.memory().allocate(4096, 4096);
            buffers.add(b);
            BlockRequest r = BlockRequest.of(BlockOp.READ, 8L * i, 8, 512, b, next);
            all.add(r);
            assertTrue(nvme.submit(i % 2, r));
        }
        assertTrue(kernel.platform().clock().runUntil(() -> completions[0] == total, WAIT_NS),
                () -> completions[0] + " of " + total + " completed");
        all.forEach(r -> assertEquals(BlockStatus.OK, r.status(), r.toString()));
        assertEquals(0, nvme.outstanding(0));
        buffers.forEach(DmaBuffer::close);
        finish();
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldKeepDataIntactOnANonCoherentMachine(IommuMode mode) {
        boot(mode, false, 2, SMALL, NvmeOptions.DEFAULTS);
        randomIo(128);
        finish();
    }

    @Test
    void shouldCompleteByPollingWithoutInterrupts() {
        boot(IommuMode.STRICT, true, 1, SMALL, NvmeOptions.DEFAULTS.withInterrupts(false));
        try (DmaBuffer buffer = kernel.memory().allocate(4096, 4096)) {
            BlockRequest r = BlockRequest.of(BlockOp.READ, 0, 8, 512, buffer, null);
            assertTrue(nvme.submit(0, r));
            assertTrue(kernel.platform().clock().runUntil(() -> nvme.poll(0) > 0 || r.isDone(), WAIT_NS));
            assertEquals(BlockStatus.OK, r.status());
            assertEquals(0, nvme.interrupts(0));
        }
        finish();
    }

    @Test
    void shouldBuildPrpListsBelowTheSglThresholdAndSglsAboveAndFreeTheirBlocks() {
        // IOMMU off: an IOMMU would merge the pages into one IOVA range, one segment
        boot(IommuMode.OFF, true, 1, SMALL, NvmeOptions.DEFAULTS.withSglThreshold(8192));
        try (DmaBuffer a = kernel.memory().allocate(128 * 1024, 4096); DmaBuffer b = kernel.memory().allocate(128 * 1024, 4096)) {
            byte[] data = new byte[64 * 1024];
            new SplittableRandom(3).nextBytes(data);
            // 16 pages, every other one of the buffer: PRPs (average segment below the threshold), a list of 15 entries
            ScatterList pages = new ScatterList();
            for (int i = 0; i < 16; i++) {
                a.write(i * 8192L, java.util.Arrays.copyOfRange(data, i * 4096, (i + 1) * 4096));
                pages.add(a.physicalAddress() + i * 8192L, 4096);
            }
            assertEquals(BlockStatus.OK, run(0, BlockRequest.write(100, 128, pages, null)).status());
            assertEquals(1, nvme.prpRequests());
            // read back in two 32 KiB pieces, the second at an odd byte offset: only an SGL can say that
            ScatterList halves = new ScatterList().add(b.physicalAddress(), 32 * 1024).add(b.physicalAddress() + 40 * 1024 + 3, 32 * 1024);
            assertEquals(BlockStatus.OK, run(0, BlockRequest.read(100, 128, halves, null)).status());
            assertEquals(1, nvme.sglRequests());
            byte[] got = new byte[data.length];
            b.read(0, got, 0, 32 * 1024);
            b.read(40 * 1024 + 3, got, 32 * 1024, 32 * 1024);
            assertArrayEquals(data, got);
            assertEquals(0, nvme.poolBlocksInUse(), "list blocks back in their pools");
        }
        finish();
    }

    @Test
    void shouldReadZeroesAfterDiscardAndCompleteAFlush() {
        boot(IommuMode.OFF, true, 1, SMALL, NvmeOptions.DEFAULTS);
        try (DmaBuffer a = kernel.memory().allocate(4096, 4096)) {
            byte[] ones = new byte[4096];
            java.util.Arrays.fill(ones, (byte) 1);
            a.write(0, ones);
            assertEquals(BlockStatus.OK, run(0, BlockRequest.of(BlockOp.WRITE, 0, 8, 512, a, null)).status());
            assertEquals(BlockStatus.OK, run(0, BlockRequest.flush(null)).status());
            assertEquals(BlockStatus.OK, run(0, BlockRequest.discard(2, 2, null)).status());
            assertEquals(BlockStatus.OK, run(0, BlockRequest.of(BlockOp.READ, 0, 8, 512, a, null)).status());
            byte[] got = new byte[4096];
            a.read(0, got);
            byte[] want = ones.clone();
            java.util.Arrays.fill(want, 1024, 2048, (byte) 0);
            assertArrayEquals(want, got);
            assertEquals(BlockStatus.INVALID, run(0, BlockRequest.of(BlockOp.READ, nvme.blocks() - 4, 8, 512, a, null)).status(),
                    "past the end: refused before the device");
        }
        finish();
    }

    @Test
    void shouldAbortARequestThatTimesOutAndCompleteItTimedOut() {
        NvmeConfig slow = SMALL.withMedia(new MediaTiming(8, 2_000, 10_000_000L, 2_500, 50_000, 0));
        boot(IommuMode.STRICT, true, 1, slow, NvmeOptions.DEFAULTS.withTimeoutNs(20_000_000L));
        try (DmaBuffer a = kernel.memory().allocate(4096, 4096)) {
            BlockRequest r = run(0, BlockRequest.of(BlockOp.READ, 0, 8, 512, a, null));
            assertEquals(BlockStatus.TIMED_OUT, r.status());
            assertEquals(1, nvme.aborts());
            assertEquals(0, nvme.resets());
            assertEquals(0, nvme.outstanding(0));
        }
        finish();
    }

    /**
     * A timeout first reaps (a completion whose interrupt is late is no timeout): here, without
     * interrupts, only the timeout reaps. The request it completes starts the next one, which takes
     * the same CID; that one is not the one that timed out, and is not aborted.
     */
    @Test
    void shouldNotAbortTheRequestStartedUnderTheCidOfOneATimeoutReaped() {
        boot(IommuMode.STRICT, true, 1, SMALL, NvmeOptions.DEFAULTS.withInterrupts(false).withTimeoutNs(1_000_000L));
        try (DmaBuffer a = kernel.memory().allocate(4096, 4096); DmaBuffer b = kernel.memory().allocate(4096, 4096)) {
            BlockRequest second = BlockRequest.of(BlockOp.READ, 8, 8, 512, b, null);
            BlockRequest first = BlockRequest.of(BlockOp.READ, 0, 8, 512, a, done -> assertTrue(nvme.submit(0, second)));
            assertTrue(nvme.submit(0, first));
            await(List.of(first, second));
            assertEquals(BlockStatus.OK, first.status());
            assertEquals(BlockStatus.OK, second.status());
            assertEquals(0, nvme.aborts());
            assertEquals(0, nvme.outstanding(0));
        }
        finish();
    }

    /** One timer per queue, not one event per request: a queue that did thousands of I/Os leaves one behind. */
    @Test
    void shouldLeaveOneTimeoutTimerBehindNotOneEventPerCompletedRequest() {
        boot(IommuMode.OFF, true, 1, SMALL, NvmeOptions.DEFAULTS);
        long idle = machine.eventKernel().pendingEvents();
        try (DmaBuffer a = kernel.memory().allocate(64 * 4096, 4096)) {
            List<BlockRequest> rs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                BlockRequest r = BlockRequest.read(8L * i, 8, new ScatterList().add(a.physicalAddress() + 4096L * i, 4096), null);
                assertTrue(nvme.submit(0, r));
                rs.add(r);
            }
            await(rs);
            rs.forEach(r -> assertEquals(BlockStatus.OK, r.status(), r.toString()));
            int pending = machine.eventKernel().pendingEvents();
            assertTrue(pending <= idle + 1, () -> pending + " events pending after 64 requests, " + idle
                    + " before: at most the queue's timeout timer may be new");
        }
        finish();
    }

    @Test
    void shouldResetTheControllerWhenAbortDoesNotEndRequestsAndFailEveryOutstandingOne() {
        boot(IommuMode.STRICT, true, 1, SMALL, NvmeOptions.DEFAULTS.withTimeoutNs(5_000_000L));
        try (DmaBuffer a = kernel.memory().allocate(4 * 4096, 4096)) {
            // the function stops mastering the bus (as after a surprise error): it fetches nothing, Abort included
            long command = machine.config().pci().ecamBase() + EcamLayout.offset(SLOT, 0) + PciConfigLayout.COMMAND;
            machine.cpu().write16(command, machine.cpu().read16(command) & ~PciConfigLayout.COMMAND_BUS_MASTER);
            List<BlockRequest> rs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                BlockRequest r = BlockRequest.read(8L * i, 8, new ScatterList().add(a.physicalAddress() + 4096L * i, 4096), null);
                assertTrue(nvme.submit(0, r));
                rs.add(r);
            }
            await(rs);
            rs.forEach(r -> assertEquals(BlockStatus.RESET, r.status(), r.toString()));
            assertEquals(1, nvme.resets());
            assertEquals(0, nvme.outstanding(0));
            assertEquals(0, nvme.poolBlocksInUse());
            assertEquals(BlockStatus.OK, run(0, BlockRequest.of(BlockOp.READ, 0, 8, 512, a, null)).status(),
                    "queues re-created, bus mastering enabled again");
        }
        finish();
    }
}
