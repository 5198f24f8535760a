package org.jdma.kernel.drivers.nvme;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.kernel.dma.pool.DmaPool;
import org.jdma.spec.nvme.DsmRangeLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;

/**
 * A block request's way through the driver (Linux {@code nvme_queue_rq} and {@code nvme_pci_complete_rq}):
 * check it, take a CID, map its scatter list for the device, build PRPs or an SGL, write the entry
 * and ring the doorbell, arm its timeout; at completion unmap, give the list blocks back to their
 * pools and complete the request with the status the controller gave. A request outstanding for
 * the timeout is aborted (Admin Abort); one still outstanding a timeout later resets the
 * controller, which completes every outstanding request with {@link BlockStatus#RESET}.
 */
final class IoPath {

    private final NvmeDriver driver;
    private final DataPointerBuilder pointers;
    private long aborts;
    private long sglRequests;
    private long prpRequests;

    IoPath(NvmeDriver driver, DataPointerBuilder pointers) {
        this.driver = driver;
        this.pointers = pointers;
    }

    long aborts() { return aborts; }

    long sglRequests() { return sglRequests; }

    long prpRequests() { return prpRequests; }

    /**
     * What the driver keeps for one outstanding command (Linux: a request's driver data,
     * {@code struct nvme_iod}), with its entry under construction and its segment arrays. Reused:
     * a command whose completion has run to its end goes back to {@link #free}. Not before: with a
     * strict IOMMU the unmap in {@link #completed} waits, and a submission nested in that wait may
     * take the CID just freed, so the CID cannot carry the state. {@link #use} tells one use from
     * the next (a reap may complete a command and start another with the same object).
     */
    private final class Command implements QueuePair.Tag {
        QueuePair queue;
        int cid;
        final NvmeDriver.Entry entry = new NvmeDriver.Entry(0);
        BlockRequest request;
        DmaDirection direction;
        /** Pool blocks of PRP or SGL lists (none for most: the list takes its array at the first). */
        final List<DmaPool.Block> blocks = new ArrayList<>();
        /** The mapped segments' device addresses and lengths (grown, never shrunk). */
        long[] address = new long[1];
        long[] length = new long[1];
        boolean mapped;
        boolean aborted;
        /** When the command times out (first: Abort; after the Abort: controller reset), ns. */
        long deadlineNs;
        /** Counts the commands this object carried. */
        long use;

        /** Starts the next use: {@code r} under {@code cid} of {@code q}. */
        void start(QueuePair q, int id, BlockRequest r) {
            use++;
            queue = q;
            cid = id;
            request = r;
            direction = r.op() == BlockOp.READ ? DmaDirection.FROM_DEVICE : DmaDirection.TO_DEVICE;
            mapped = false;
            aborted = false;
        }

        /**
         * Unmaps and frees what the command held. With a strict IOMMU the unmap waits for its
         * invalidation, and other CPUs' reaps may run nested in that wait; the VT-d driver's
         * queued invalidation is re-entrant for that (see {@code QueuedInvalidator}).
         */
        void release() {
            DeviceDmaApi dma = driver.dma();
            if (mapped) {
                dma.unmapSg(request.data(), request.data().size(), direction);
                mapped = false;
            }
            for (DmaPool.Block b : blocks) {
                pool(b).free(b);
            }
            blocks.clear();
        }

        /** The request's callback may submit more (nested); then this command goes back to {@link #free}. */
        @Override
        public void completed(int status, int dw0) {
            release();
            BlockRequest r = request;
            request = null;
            r.complete(statusOf(status), status, driver.context().clock().now());
            free.push(this);
        }
    }

    /** Commands whose completion has run, for the next submissions (never more than the peak outstanding). */
    private final ArrayDeque<Command> free = new ArrayDeque<>();

    private DmaPool pool(DmaPool.Block b) {
        return b.size() == DataPointerBuilder.PAGE ? pointersPage : pointersSmall;
    }

    private DmaPool pointersSmall;
    private DmaPool pointersPage;

    void pools(DmaPool small, DmaPool page) {
        this.pointersSmall = small;
        this.pointersPage = page;
    }

    static BlockStatus statusOf(int status) {
        return switch (status) {
            case NvmeStatus.SUCCESS -> BlockStatus.OK;
            case NvmeStatus.DATA_TRANSFER_ERROR -> BlockStatus.TRANSFER_ERROR;
            case NvmeStatus.ABORTED_BY_REQUEST -> BlockStatus.TIMED_OUT;
            case NvmeStatus.ABORTED_SQ_DELETED, NvmeStatus.ABORTED_POWER_LOSS -> BlockStatus.RESET;
            default -> NvmeStatus.sct(status) == NvmeStatus.SCT_MEDIA ? BlockStatus.MEDIA_ERROR : BlockStatus.INVALID;
        };
    }

    boolean submit(QueuePair queue, BlockRequest r) {
        long now = driver.context().clock().now();
        if (!valid(r)) {
            r.started(now);
            r.complete(BlockStatus.INVALID, 0, now);
            return true;
        }
        int cid = queue.allocCid();
        if (cid < 0) {
            return false;
        }
        Command c = free.isEmpty() ? new Command() : free.pop();
        c.start(queue, cid, r);
        NvmeDriver.Entry e = entry(r, c.entry);
        if (!data(c, e)) {
            c.release();
            c.request = null;
            free.push(c);
            queue.unallocCid(cid); // never submitted: release(cid) would find no tag and keep it
            return false;
        }
        r.started(now);
        queue.submit(cid, c, e.cid(cid).bytes, now);
        armTimeout(c);
        return true;
    }

    private boolean valid(BlockRequest r) {
        long blocks = driver.blocks();
        if (r.op() == BlockOp.FLUSH) {
            return true;
        }
        if (r.lba() >= blocks || r.blocks() > blocks - r.lba() || r.blocks() > driver.maxBlocks() && r.op() != BlockOp.DISCARD) {
            return false;
        }
        return r.data() == null || r.data().totalLength() == (long) r.blocks() * driver.blockSize();
    }

    /** {@code e}, cleared, as the entry of {@code r} (without its data pointer and CID). */
    private static NvmeDriver.Entry entry(BlockRequest r, NvmeDriver.Entry e) {
        int opcode = switch (r.op()) {
            case READ -> NvmeCommands.NVM_READ;
            case WRITE -> NvmeCommands.NVM_WRITE;
            case FLUSH -> NvmeCommands.NVM_FLUSH;
            case DISCARD -> NvmeCommands.NVM_DATASET_MANAGEMENT;
        };
        e.reset(opcode).nsid(1);
        if (r.op() == BlockOp.READ || r.op() == BlockOp.WRITE) {
            e.cdw64(10, r.lba()).cdw(12, r.blocks() - 1);
        } else if (r.op() == BlockOp.DISCARD) {
            e.cdw(10, 0).cdw(11, NvmeCommands.DSM_AD); // one range
        }
        return e;
    }

    /** Maps the data and builds DPTR; false when resources ran out (the caller retries later). */
    private boolean data(Command c, NvmeDriver.Entry e) {
        BlockRequest r = c.request;
        if (r.op() == BlockOp.DISCARD) {
            DmaPool.Block b = pointersSmall.alloc();
            if (b == null) {
                return false;
            }
            c.blocks.add(b);
            var cpu = driver.context().cpu();
            cpu.write32(b.physical() + DsmRangeLayout.ATTRIBUTES, 0);
            cpu.write32(b.physical() + DsmRangeLayout.LENGTH, r.blocks());
            cpu.write64(b.physical() + DsmRangeLayout.SLBA, r.lba());
            e.prp1(b.dmaAddress());
            return true;
        }
        ScatterList sg = r.data();
        if (sg == null) {
            return true;
        }
        int n = driver.dma().mapSg(sg, sg.size(), c.direction);
        if (n == 0) {
            return false;
        }
        c.mapped = true;
        if (c.address.length < n) {
            c.address = new long[n];
            c.length = new long[n];
        }
        long[] address = c.address;
        long[] length = c.length;
        long total = 0;
        for (int i = 0; i < n; i++) {
            address[i] = sg.get(i).dmaAddress();
            length[i] = sg.get(i).dmaLength();
            total += length[i];
        }
        int threshold = driver.options().sglThreshold();
        boolean prp = DataPointerBuilder.prpCapable(address, length, n);
        boolean sgl = driver.sglsSupported() && (!prp || threshold > 0 && total / n >= threshold);
        if (sgl) {
            sglRequests++;
            return pointers.sgl(address, length, n, e.bytes, c.blocks);
        }
        if (!prp) {
            // TODO: bounce such a list through a PRP-friendly buffer (Linux sets a virt boundary so this never happens)
            return false;
        }
        prpRequests++;
        return pointers.prp(address, length, n, e.bytes, c.blocks);
    }

    /** The timeout runs as deferred work on the queue's CPU (it reaps, unmaps and may reset: not in a timer handler). */
    /**
     * Gives {@code c} its deadline. One timer per queue covers every command on it (as blk-mq's
     * per-queue timeout timer), set to the earliest deadline: deadlines are given in time order, so
     * a queue whose timer is armed needs nothing new, and the scan re-arms for what is left.
     */
    private void armTimeout(Command c) {
        c.deadlineNs = driver.context().clock().now() + driver.options().timeoutNs();
        if (c.queue.timeoutTimerNs < 0) {
            scheduleTimeoutScan(c.queue, c.deadlineNs);
        }
    }

    private void scheduleTimeoutScan(QueuePair queue, long atNs) {
        queue.timeoutTimerNs = atNs;
        String label = driver.name() + " timeout";
        driver.context().clock().schedule(atNs - driver.context().clock().now(), label,
                () -> driver.context().raiseSoftirq(queue.cpu, label, () -> scanTimeouts(queue)));
    }

    /**
     * Handles every command on {@code queue} past its deadline, then re-arms the timer for the
     * earliest deadline left. The timer counts as armed during the scan, so that commands
     * submitted from completions the scan reaps do not arm a second one.
     */
    private void scanTimeouts(QueuePair queue) {
        long now = driver.context().clock().now();
        if (!driver.resetting()) {
            for (QueuePair.Tag t : queue.tags) {
                if (t instanceof Command c && c.deadlineNs <= now) {
                    timedOut(c);
                }
            }
        }
        queue.timeoutTimerNs = -1;
        if (driver.resetting()) {
            return; // the reset completes what is outstanding; new commands arm a new timer
        }
        long earliest = Long.MAX_VALUE;
        for (QueuePair.Tag t : queue.tags) {
            if (t instanceof Command c) {
                earliest = Math.min(earliest, c.deadlineNs);
            }
        }
        if (earliest != Long.MAX_VALUE) {
            scheduleTimeoutScan(queue, Math.max(earliest, now));
        }
    }

    /** First timeout: Abort. Second: controller reset. */
    private void timedOut(Command c) {
        if (driver.resetting() || c.queue.tags[c.cid] != c) {
            return; // completed by a reap earlier in the scan, or the controller is being reset
        }
        long use = c.use;
        c.queue.reap(); // as Linux's nvme_timeout: a completion whose interrupt is late is not a timeout
        if (c.use != use || c.queue.tags[c.cid] != c) {
            return; // completed in time (and the object may carry a new command now)
        }
        if (!c.aborted) {
            c.aborted = true;
            aborts++;
            driver.adminAsync(NvmeDriver.sqe(NvmeCommands.ADMIN_ABORT).cdw(10, NvmeCommands.abortCdw10(c.queue.qid, c.cid)),
                    (status, dw0) -> { });
            armTimeout(c);
            return;
        }
        driver.reset();
    }

    /** Completes every outstanding command of {@code queue} with RESET (the controller is going away). */
    void failAll(QueuePair queue) {
        for (int cid = 0; cid < queue.tags.length; cid++) {
            QueuePair.Tag t = queue.tags[cid];
            if (t != null) {
                queue.release(cid);
                t.completed(NvmeStatus.ABORTED_SQ_DELETED, 0);
            }
        }
    }
}
