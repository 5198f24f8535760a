package org.jdma.kernel.drivers.nvme;

import java.lang.foreign.MemorySegment;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.ring.CompletionQueue;
import org.jdma.kernel.ring.CompletionTest;
import org.jdma.kernel.ring.RingMemory;
import org.jdma.kernel.ring.SubmissionRing;
import org.jdma.platform.Cpu;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.NvmeRegisters;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * One submission and completion queue pair in coherent memory, host side (Linux
 * {@code struct nvme_queue}): the SQ tail the driver writes, the command tags (CID = index into
 * {@link #tags}; {@code depth - 1} of them, so neither queue can overflow), and the CQ consumed
 * through {@code kernel.ring}'s phase-tag {@link CompletionQueue}, one head doorbell per batch.
 */
final class QueuePair {

    /** What the driver keeps for one outstanding command. */
    interface Tag {
        void completed(int status, int dw0);
    }

    /** A completion whose CID names no outstanding command (a controller bug) is counted, not followed. */
    private long strayCompletions;

    final int qid;
    final int depth;
    final int cpu;
    final CoherentAllocation sqMemory;
    final CoherentAllocation cqMemory;
    private final RingMemory sq;
    private final CompletionQueue cq;
    private final MmioWindow registers;
    private final int sqDoorbell;
    final Tag[] tags;
    final long[] startedNs;
    private final int[] freeCids;
    private int freeCount;
    private int tail;
    /** A reap is scheduled as deferred work (the interrupt handler schedules one at a time). */
    boolean pollScheduled;
    /** That deferred work and its name, made once (not per interrupt). */
    final String pollLabel;
    final Runnable poll = () -> {
        pollScheduled = false;
        reap();
    };
    /** Hands each new completion to its tag (made once: a reap allocates nothing). */
    private final SubmissionRing.Reaper reaper = this::completed;
    /** When the queue's timeout timer fires next, ns; -1 when it is not armed. */
    long timeoutTimerNs = -1;

    QueuePair(int qid, int depth, int cpu, DeviceDmaApi dma, Cpu mem, MmioWindow registers, int dstrd) {
        this.qid = qid;
        this.depth = depth;
        this.cpu = cpu;
        this.pollLabel = "nvme q" + qid;
        this.registers = registers;
        this.sqMemory = dma.allocCoherent((long) depth * SubmissionEntryLayout.SIZE);
        this.cqMemory = dma.allocCoherent((long) depth * CompletionEntryLayout.SIZE);
        if (sqMemory == null || cqMemory == null) {
            throw new IllegalStateException("no coherent memory for queue pair " + qid);
        }
        mem.fill(cqMemory.physical(), cqMemory.size(), (byte) 0);
        this.sq = RingMemory.of(mem, sqMemory);
        RingMemory cqRing = RingMemory.of(mem, cqMemory);
        this.sqDoorbell = NvmeRegisters.sqTailDoorbell(qid, dstrd);
        int cqDoorbell = NvmeRegisters.cqHeadDoorbell(qid, dstrd);
        this.cq = new CompletionQueue(cqRing, depth,
                CompletionTest.phaseTag(CompletionEntryLayout.SIZE, CompletionEntryLayout.STATUS, CompletionEntryLayout.PHASE, depth),
                head -> registers.write32(cqDoorbell, head));
        this.tags = new Tag[depth - 1];
        this.startedNs = new long[depth - 1];
        this.freeCids = new int[depth - 1];
        for (int i = depth - 2; i >= 0; i--) {
            freeCids[freeCount++] = i;
        }
    }

    /** A free CID, or -1 when {@code depth - 1} commands are outstanding. */
    int allocCid() {
        return freeCount == 0 ? -1 : freeCids[--freeCount];
    }

    /** Gives back a CID from {@link #allocCid} that was never submitted (building its command failed). */
    void unallocCid(int cid) {
        if (tags[cid] != null) {
            throw new IllegalStateException("CID " + cid + " of queue " + qid + " was submitted; release it");
        }
        freeCids[freeCount++] = cid;
    }

    int outstanding() {
        return tags.length - freeCount;
    }

    /** Writes the 64-byte entry {@code sqe} (its CID set) at the tail and rings the tail doorbell. */
    void submit(int cid, Tag tag, MemorySegment sqe, long now) {
        tags[cid] = tag;
        startedNs[cid] = now;
        sq.write((long) tail * SubmissionEntryLayout.SIZE, sqe, 0, SubmissionEntryLayout.SIZE);
        tail = (tail + 1) % depth;
        RingMemory.publishRelease();
        registers.write32(sqDoorbell, tail);
    }

    /** Reaps every new completion: its tag's callback runs with the status ({@code SCT << 8 | SC}) and DW0. */
    int reap() {
        return cq.reap(reaper, depth);
    }

    /** The completion entry in {@code slot}: its tag's callback runs with the status and DW0. */
    private void completed(RingMemory memory, int slot, long sequence) {
        long at = (long) slot * CompletionEntryLayout.SIZE;
        int cid = memory.read16(at + CompletionEntryLayout.CID) & 0xFFFF;
        int status = CompletionEntryLayout.status(memory.read16(at + CompletionEntryLayout.STATUS) & 0xFFFF);
        int dw0 = memory.read32(at + CompletionEntryLayout.DW0);
        Tag t = cid < tags.length ? tags[cid] : null;
        if (t == null) {
            strayCompletions++;
            return;
        }
        release(cid);
        t.completed(status, dw0);
    }

    /** Frees {@code cid} (its completion arrived, or the controller was reset). */
    void release(int cid) {
        if (tags[cid] != null) {
            tags[cid] = null;
            freeCids[freeCount++] = cid;
        }
    }

    long strayCompletions() {
        return strayCompletions;
    }

    void free() {
        sqMemory.close();
        cqMemory.close();
    }
}
