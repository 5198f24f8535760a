package org.jdma.kernel.drivers.nvme;

import static org.jdma.spec.nvme.NvmeRegisters.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jdma.kernel.block.BlockDevice;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.pool.DmaPool;
import org.jdma.kernel.driver.Affinity;
import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.InterruptVectors;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.spec.nvme.FirmwareSlotLogLayout;
import org.jdma.spec.nvme.IdentifyControllerLayout;
import org.jdma.spec.nvme.IdentifyNamespaceLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SmartLogLayout;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * The NVMe driver (Linux {@code drivers/nvme/host/pci.c} in the kernel's driver model), bound to
 * every controller by class code 01 08 02: disable, admin queue, enable (Linux
 * {@code nvme_pci_configure_admin_queue}), Identify Controller and Namespace 1, Number of Queues,
 * then one I/O queue pair per CPU (or as configured) each with its own MSI-X vector on that CPU
 * (vector 0 is the admin queue's), queues in coherent memory. Namespace 1 is offered as a
 * {@link BlockDevice}; requests are handled by {@link IoPath}.
 */
public final class NvmeDriver implements DriverInstance, BlockDevice {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Admin queue depth (Linux {@code NVME_AQ_DEPTH}). */
    static final int ADMIN_DEPTH = 32;

    /** The registration: named "nvme", bound by class code, with {@code options}. */
    public static Driver<NvmeDriver> driver(NvmeOptions options) {
        Objects.requireNonNull(options, "options");
        return Driver.of("nvme", DeviceMatch.pciClass(CLASS_CODE, 0xFFFFFF), ctx -> new NvmeDriver(ctx, options));
    }

    public static Driver<NvmeDriver> driver() {
        return driver(NvmeOptions.DEFAULTS);
    }

    private final DriverContext context;
    private final NvmeOptions options;
    private final MmioWindow registers;
    private final DeviceDmaApi dma;
    private final int dstrd;
    private final int depth;
    private final DmaPool smallPool;
    private final DmaPool pagePool;
    private final IoPath io;
    private QueuePair admin;
    private QueuePair[] queues;
    private InterruptVectors vectors;
    private long blocks;
    private int blockSize;
    private int maxBlocks;
    private boolean sgls;
    private int resets;
    private boolean resetting;
    private boolean removed;
    private HealthMonitor monitor;

    private NvmeDriver(DriverContext context, NvmeOptions options) {
        this.context = context;
        this.options = options;
        this.registers = context.mmio(REGISTER_BAR);
        this.dma = context.dma();
        if (!dma.setMaskAndCoherent(DmaMask.BITS_64)) {
            throw new ProbeException(context.name() + ": the platform refuses a 64-bit DMA mask");
        }
        long cap = registers.read64(CAP);
        if ((cap & CAP_CSS_NVM) == 0 || capMpsMin(cap) > 0) {
            throw new ProbeException(String.format("%s: CAP %#x: no NVM command set or no 4 KiB pages", context.name(), cap));
        }
        this.dstrd = capDstrd(cap);
        // a power of two: the ring protocol indexes slots by mask
        this.depth = Integer.highestOneBit(Math.min(options.queueDepth(), capMqes(cap) + 1));
        context.enableBusMaster();
        this.smallPool = DmaPool.create(context.name() + " prp list 256", dma.api(), dma.device(), 256, 256, 0);
        this.pagePool = DmaPool.create(context.name() + " prp list page", dma.api(), dma.device(), 4096, 4096, 0);
        this.io = new IoPath(this, new DataPointerBuilder(smallPool, pagePool, context.cpu()));
        io.pools(smallPool, pagePool);
        bringUp(true);
    }

    DriverContext context() { return context; }

    DeviceDmaApi dma() { return dma; }

    NvmeOptions options() { return options; }

    QueuePair queue(int q) { return queues[q]; }

    QueuePair adminQueue() { return admin; }

    boolean sglsSupported() { return sgls; }

    // ---------------------------------------------------------------- bring-up

    private void bringUp(boolean first) {
        disable();
        admin = new QueuePair(0, ADMIN_DEPTH, 0, dma, context.cpu(), registers, dstrd);
        registers.write32(AQA, aqa(ADMIN_DEPTH, ADMIN_DEPTH));
        registers.write64(ASQ, admin.sqMemory.dmaAddress());
        registers.write64(ACQ, admin.cqMemory.dmaAddress());
        registers.write32(CC, ccEnable(0));
        waitFor("CSTS.RDY = 1", () -> (registers.read32(CSTS) & (CSTS_RDY | CSTS_CFS)) != 0);
        if ((registers.read32(CSTS) & CSTS_CFS) != 0) {
            throw new ProbeException(context.name() + ": controller fatal status while enabling (CSTS.CFS)");
        }
        if (first) {
            identify();
        }
        int wanted = options.ioQueues() == 0 ? context.cpus() : options.ioQueues();
        int granted = numberOfQueues(wanted);
        int n = Math.min(wanted, granted);
        if (first) {
            int[] cpus = new int[n + 1];
            for (int q = 1; q <= n; q++) {
                cpus[q] = (q - 1) % context.cpus();
            }
            vectors = context.allocateVectors(n + 1, Affinity.cpus(cpus));
            vectors.onInterrupt(0, v -> admin.reap());
            for (int q = 1; q <= n; q++) {
                int queue = q - 1;
                vectors.onInterrupt(q, v -> schedulePoll(queues[queue]));
            }
            queues = new QueuePair[n];
        }
        for (int q = 1; q <= queues.length; q++) {
            QueuePair p = new QueuePair(q, depth, (q - 1) % context.cpus(), dma, context.cpu(), registers, dstrd);
            command(sqe(NvmeCommands.ADMIN_CREATE_CQ).prp1(p.cqMemory.dmaAddress())
                    .cdw(10, NvmeCommands.createQueueCdw10(q, depth)).cdw(11, NvmeCommands.createCqCdw11(q, options.interrupts())), "Create I/O CQ " + q);
            command(sqe(NvmeCommands.ADMIN_CREATE_SQ).prp1(p.sqMemory.dmaAddress())
                    .cdw(10, NvmeCommands.createQueueCdw10(q, depth)).cdw(11, NvmeCommands.createSqCdw11(q)), "Create I/O SQ " + q);
            queues[q - 1] = p;
        }
    }

    /**
     * A queue's interrupt: reap in deferred work on the queue's CPU (completions unmap, and a strict
     * IOMMU's unmap waits for its invalidation: not in the interrupt handler), once per interrupt burst.
     */
    private void schedulePoll(QueuePair p) {
        if (!p.pollScheduled) {
            p.pollScheduled = true;
            context.raiseSoftirq(p.cpu, p.pollLabel, p.poll);
        }
    }

    private void disable() {
        registers.write32(CC, 0);
        waitFor("CSTS.RDY = 0", () -> (registers.read32(CSTS) & CSTS_RDY) == 0);
    }

    private void identify() {
        try (CoherentAllocation data = dma.allocCoherent(NvmeCommands.IDENTIFY_SIZE)) {
            command(sqe(NvmeCommands.ADMIN_IDENTIFY).prp1(data.dmaAddress()).cdw(10, NvmeCommands.CNS_CONTROLLER), "Identify Controller");
            int mdts = context.cpu().read8(data.physical() + IdentifyControllerLayout.MDTS) & 0xFF;
            sgls = (context.cpu().read32(data.physical() + IdentifyControllerLayout.SGLS) & IdentifyControllerLayout.SGLS_SUPPORT_MASK) != 0;
            command(sqe(NvmeCommands.ADMIN_IDENTIFY).nsid(1).prp1(data.dmaAddress()).cdw(10, NvmeCommands.CNS_NAMESPACE), "Identify Namespace 1");
            blocks = context.cpu().read64(data.physical() + IdentifyNamespaceLayout.NSZE);
            int format = context.cpu().read8(data.physical() + IdentifyNamespaceLayout.FLBAS) & IdentifyNamespaceLayout.FLBAS_FORMAT_MASK;
            blockSize = 1 << IdentifyNamespaceLayout.lbads(context.cpu().read32(data.physical() + IdentifyNamespaceLayout.lbaf(format)));
            long maxBytes = mdts == 0 ? 1L << 20 : Math.min(1L << 20, 4096L << mdts);
            maxBlocks = (int) Math.min(NvmeCommands.NLB_MASK + 1L, maxBytes / blockSize);
        }
    }

    private int numberOfQueues(int wanted) {
        int dw0 = command(sqe(NvmeCommands.ADMIN_SET_FEATURES).cdw(10, NvmeCommands.FID_NUMBER_OF_QUEUES)
                .cdw(11, NvmeCommands.numberOfQueues(wanted, wanted)), "Set Features (Number of Queues)");
        return Math.min(dw0 & NvmeCommands.NQ_MASK, dw0 >>> NvmeCommands.NQ_NCQR_SHIFT) + 1;
    }

    private void waitFor(String what, BooleanSupplier condition) {
        if (!context.clock().runUntil(condition, options.adminTimeoutNs())) {
            throw new ProbeException(String.format("%s: %s did not happen within %d ns", context.name(), what, options.adminTimeoutNs()));
        }
    }

    // ---------------------------------------------------------------- admin commands

    /** A zeroed submission entry with {@code opcode}. */
    static Entry sqe(int opcode) {
        return new Entry(opcode);
    }

    /** A 64-byte submission entry under construction. */
    static final class Entry {
        final MemorySegment bytes = MemorySegment.ofArray(new byte[SubmissionEntryLayout.SIZE]);

        Entry(int opcode) { bytes.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.OPCODE, (byte) opcode); }

        /** Zeroed again, with {@code opcode} (an entry reused for the next command). */
        Entry reset(int opcode) {
            bytes.fill((byte) 0);
            bytes.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.OPCODE, (byte) opcode);
            return this;
        }

        Entry nsid(int n) { bytes.set(LE_INT, SubmissionEntryLayout.NSID, n); return this; }

        Entry prp1(long a) { bytes.set(LE_LONG, SubmissionEntryLayout.PRP1, a); return this; }

        Entry cdw(int n, int v) { bytes.set(LE_INT, SubmissionEntryLayout.cdw(n), v); return this; }

        Entry cdw64(int n, long v) { bytes.set(LE_LONG, SubmissionEntryLayout.cdw(n), v); return this; }

        Entry cid(int c) { bytes.set(LE_SHORT, SubmissionEntryLayout.CID, (short) c); return this; }
    }

    /** Submits an admin command without waiting; {@code done} gets its status and DW0. False when the admin queue is full. */
    boolean adminAsync(Entry e, QueuePair.Tag done) {
        int cid = admin.allocCid();
        if (cid < 0) {
            return false;
        }
        admin.submit(cid, done, e.cid(cid).bytes, context.clock().now());
        return true;
    }

    /** Runs an admin command to its completion; returns DW0. */
    private int command(Entry e, String what) {
        int[] result = run(e, what);
        if (result[0] != NvmeStatus.SUCCESS) {
            throw new ProbeException(String.format("%s: %s failed: %s (%#05x)", context.name(), what, NvmeStatus.name(result[0]), result[0]));
        }
        return result[1];
    }

    /** Runs an admin command to its completion; returns its status and DW0. */
    private int[] run(Entry e, String what) {
        int[] result = {-1, 0};
        if (!adminAsync(e, (status, dw0) -> {
            result[0] = status;
            result[1] = dw0;
        })) {
            throw new ProbeException(context.name() + ": admin queue full for " + what);
        }
        waitFor(what + " to complete", () -> {
            admin.reap(); // before the vectors exist (Identify, Number of Queues) nothing else reaps
            return result[0] >= 0;
        });
        return result;
    }

    // ---------------------------------------------------------------- logs and health

    /**
     * Get Log Page: {@code length} bytes (a multiple of 4, at most 4096) of log {@code logId} from
     * byte {@code offset} (a multiple of 4), read with RAE clear. Throws {@link NvmeCommandException}
     * with the controller's status when it refuses.
     */
    public byte[] getLogPage(int logId, long offset, int length) {
        if (logId < 0 || logId > NvmeCommands.LOG_LID_MASK) {
            throw new IllegalArgumentException("log id must be 0..255, was " + logId);
        }
        if (offset < 0 || (offset & 3) != 0) {
            throw new IllegalArgumentException("log offset must be a non-negative multiple of 4, was " + offset);
        }
        if (length < 4 || length > 4096 || (length & 3) != 0) {
            throw new IllegalArgumentException("log length must be a multiple of 4 in 4..4096, was " + length);
        }
        try (CoherentAllocation data = dma.allocCoherent(4096)) {
            String what = String.format("Get Log Page %#04x", logId);
            int[] result = run(sqe(NvmeCommands.ADMIN_GET_LOG_PAGE).prp1(data.dmaAddress())
                    .cdw(10, NvmeCommands.getLogCdw10(logId, false, length / 4)).cdw(11, NvmeCommands.getLogCdw11(length / 4))
                    .cdw64(12, offset), what);
            if (result[0] != NvmeStatus.SUCCESS) {
                throw new NvmeCommandException(context.name() + ": " + what, result[0]);
            }
            byte[] b = new byte[length];
            context.cpu().read(data.physical(), b);
            return b;
        }
    }

    /** The SMART / Health Information log. */
    public SmartLog smartLog() {
        return SmartLog.decode(getLogPage(NvmeCommands.LOG_SMART, 0, SmartLogLayout.SIZE));
    }

    /** The Error Information log's used entries, most recent first. */
    public List<ErrorLogEntry> errorLog() {
        return ErrorLogEntry.decodeAll(getLogPage(NvmeCommands.LOG_ERROR_INFORMATION, 0, 4096));
    }

    /** The Firmware Slot Information log. */
    public FirmwareSlots firmwareSlots() {
        return FirmwareSlots.decode(getLogPage(NvmeCommands.LOG_FIRMWARE_SLOT, 0, FirmwareSlotLogLayout.SIZE));
    }

    /**
     * Starts the health monitor: enables SMART critical-warning events (Feature 0Bh) and keeps one
     * Asynchronous Event Request outstanding, reporting each event to {@code listener}.
     */
    public HealthMonitor startHealthMonitor(HealthMonitor.Listener listener) {
        if (monitor != null) {
            throw new IllegalStateException(context.name() + ": the health monitor is already running");
        }
        monitor = new HealthMonitor(this, listener);
        armMonitor();
        return monitor;
    }

    private void armMonitor() {
        command(sqe(NvmeCommands.ADMIN_SET_FEATURES).cdw(10, NvmeCommands.FID_ASYNC_EVENT_CONFIG)
                .cdw(11, HealthMonitor.WATCHED_WARNINGS), "Set Features (Asynchronous Event Configuration)");
        if (!monitor.arm()) {
            throw new IllegalStateException(context.name() + ": admin queue full arming the health monitor");
        }
    }

    // ---------------------------------------------------------------- reset

    /**
     * Controller reset (Linux {@code nvme_reset_work}): every outstanding request completes with
     * {@code RESET}, the controller is disabled and brought up again with fresh queues.
     */
    @Override
    public void reset() {
        if (removed) {
            return;
        }
        resets++;
        resetting = true;
        try {
            disable();
            for (QueuePair p : queues) {
                io.failAll(p);
            }
            for (QueuePair p : queues) {
                p.free();
            }
            admin.free();
            context.enableBusMaster(); // as nvme_reset_work's nvme_pci_enable
            bringUp(false);
            if (monitor != null) {
                armMonitor(); // the reset dropped the event request and the configuration
            }
        } finally {
            resetting = false;
        }
    }

    boolean resetting() { return resetting; }

    /** Controller resets since probe (timeouts that Abort did not end, or {@link #reset()}). */
    public int resets() { return resets; }

    @Override
    public void remove() {
        if (removed) {
            return;
        }
        removed = true;
        for (QueuePair p : queues) {
            io.failAll(p);
        }
        registers.write32(CC, registers.read32(CC) | CC_SHN_NORMAL);
        context.clock().runUntil(() -> (registers.read32(CSTS) & CSTS_SHST_MASK) == CSTS_SHST_COMPLETE, options.adminTimeoutNs());
        disable();
        for (QueuePair p : queues) {
            p.free();
        }
        admin.free();
        if (monitor != null) {
            monitor.close();
        }
        smallPool.destroy();
        pagePool.destroy();
    }

    // ---------------------------------------------------------------- BlockDevice

    @Override public String name() { return context.name(); }

    @Override public int blockSize() { return blockSize; }

    @Override public long blocks() { return blocks; }

    @Override public int queues() { return queues.length; }

    @Override public int queueCpu(int queue) { return queues[queue].cpu; }

    @Override public int maxBlocks() { return maxBlocks; }

    @Override
    public boolean submit(int queue, BlockRequest request) {
        return !removed && !resetting && io.submit(queues[queue], request);
    }

    @Override
    public int poll(int queue) { return queues[queue].reap(); }

    @Override
    public int outstanding(int queue) { return queues[queue].outstanding(); }

    /** Interrupts taken on queue {@code queue}'s vector. */
    public long interrupts(int queue) { return vectors.dispatched(queue + 1); }

    /** Requests aborted after a timeout. */
    public long aborts() { return io.aborts(); }

    /** PRP-list and SGL pool blocks in use (0 when nothing is outstanding). */
    public int poolBlocksInUse() { return smallPool.liveBlocks() + pagePool.liveBlocks(); }

    /** Requests sent with an SGL, and with PRPs. */
    public long sglRequests() { return io.sglRequests(); }

    public long prpRequests() { return io.prpRequests(); }
}
