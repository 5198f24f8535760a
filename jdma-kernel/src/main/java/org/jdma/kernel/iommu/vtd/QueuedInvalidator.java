package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.*;

import org.jdma.platform.Cpu;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdInvalidationDescriptorLayout;

/**
 * Queued invalidation (VT-d §6.5.2): a one-page ring of 128-bit descriptors (IQA, QS = 0: 256
 * entries) that the driver fills at the tail (IQT) and the unit drains from the head (IQH). Each
 * request is one descriptor followed by an invalidation-wait descriptor with a status write; the
 * driver polls the status word, so the call returns when everything before the wait is done.
 * FSTS.IQE while waiting is an error naming the descriptor.
 *
 * <p>Re-entrant: every wait lets modeled time pass (an MMIO read does too, and so does a RAM store
 * while an ISA DMA transfer holds the bus), so deferred work of other CPUs may run inside it and
 * queue invalidations of its own. Such a nested request takes the slots after the tail as it is
 * then and completes first; the outer one claims a slot only if the tail did not move while it
 * wrote the descriptor, else it writes it again at the new tail (waiting in modeled time while the
 * queue is full), so no descriptor is overwritten, lost or skipped. All requests share one status
 * word that each wait overwrites with its sequence number; the unit drains the queue in order, so a
 * status at or past a request's own number means its wait, and everything queued before it, is done.
 *
 * <p>Like Linux's {@code qi_submit_sync}, the driver does not read IQH on every request: it keeps
 * the head as last seen, a bound the unit's head can only have moved past, and reads the register
 * only when that bound says the queue is full. A completed wait moves the bound to the slot after
 * it. The wait loop reads the status word first and FSTS only while the wait is not done, so a unit
 * that finished before the first poll costs no register read.
 *
 * <p>The queue and the status word are shared with the unit both ways, so they are uncached on a
 * CPU cache that is not coherent with DMA ({@link TableMemory#allocateShared()}).
 */
final class QueuedInvalidator implements Invalidator {

    /** QS = 0: one 4 KiB page of 256 128-bit descriptors. */
    private static final int QUEUE_QS = 0;
    private static final int QUEUE_ENTRIES = queueEntries128(QUEUE_QS);

    private final UnitRegisters regs;
    private final TableMemory memory;
    private final Cpu cpu;
    private final long cap;
    private long queue;
    private long waitStatus;
    private int queueTail;
    /**
     * A slot the unit's head has reached (it may be further on, never behind): the register's value
     * at its last read, or the slot after the last completed wait.
     */
    private int knownHead;
    private int waitSequence;
    private long waitDescriptors;

    QueuedInvalidator(UnitRegisters regs, TableMemory memory, long cap) {
        this.regs = regs;
        this.memory = memory;
        this.cpu = memory.cpu();
        this.cap = cap;
    }

    /** Allocates the queue and status word and turns queued invalidation on (§6.5.2: IQT = 0, IQA, GCMD.QIE). */
    void enable() {
        // Uncached on a non-coherent CPU cache: the unit fetches the descriptors from memory and
        // writes the wait status to memory, behind the cache's back.
        queue = memory.allocateShared();
        waitStatus = memory.allocateShared();
        queueTail = 0;
        knownHead = 0;
        // IQT must be 0 and IQA programmed while QIE is clear; then enable and poll QIES.
        regs.write64(IQT, 0);
        regs.write64(IQA, (queue & IQA_ADDR_MASK) | QUEUE_QS);
        regs.persistent(GCMD_QIE, true, "GSTS.QIES after GCMD.QIE");
    }

    /** Turns queued invalidation off and frees the queue and status word. */
    void disable() {
        regs.persistent(GCMD_QIE, false, "GSTS.QIES clear after GCMD.QIE = 0");
        // QIES is clear: the unit fetches no more descriptors and writes no more status.
        memory.freeShared(queue);
        memory.freeShared(waitStatus);
    }

    /** Invalidation-wait descriptors queued so far. */
    long waitDescriptors() {
        return waitDescriptors;
    }

    @Override
    public void context(int granularity, int domainId, int sourceId) {
        submitAndWait(VtdInvalidationDescriptorLayout.contextCache(granularity, domainId, sourceId, 0), 0);
    }

    @Override
    public void iotlb(int granularity, int domainId, long address, int mask) {
        boolean dr = (cap & VtdCapabilityLayout.CAP_DRD) != 0;
        boolean dw = (cap & VtdCapabilityLayout.CAP_DWD) != 0;
        submitAndWait(VtdInvalidationDescriptorLayout.iotlbLo(granularity, domainId, dr, dw),
                VtdInvalidationDescriptorLayout.iotlbHi(address, mask, false));
    }

    /** Interrupt entry cache invalidation (§6.5.2.7): every entry, or the 2^{@code mask} entries from {@code index}. */
    void interruptEntryCache(boolean global, int index, int mask) {
        submitAndWait(global ? VtdInvalidationDescriptorLayout.iecGlobal() : VtdInvalidationDescriptorLayout.iecIndex(index, mask), 0);
    }

    /** Queues one descriptor and an invalidation-wait with a status write, moves IQT, and polls the status. */
    private void submitAndWait(long lo, long hi) {
        while (!tryPut(lo, hi)) {
            // work nested in the store took the slot: the descriptor goes in the next free one
        }
        // Numbered at each attempt, when nothing nested can come before it: every wait queued
        // earlier (nested ones included) has a smaller number, so "status reached seq" means this
        // descriptor ran, never only a nested one queued ahead of it.
        int seq;
        do {
            seq = nextSequence();
        } while (!tryPut(VtdInvalidationDescriptorLayout.waitLo(seq, true, false, true),
                VtdInvalidationDescriptorLayout.waitHi(waitStatus)));
        waitDescriptors++;
        int after = queueTail;
        regs.write64(IQT, ((long) after << IQ_INDEX_SHIFT_128) & IQ_INDEX_MASK_128);
        int expected = seq;
        regs.poll(() -> {
            // The status page is uncached where the CPU cache is not coherent: the read sees memory.
            // A later wait (queued by work nested in this one) may already have overwritten it.
            if (reached(cpu.read32(waitStatus), expected)) {
                return true;
            }
            if ((regs.read32(FSTS) & FSTS_IQE) != 0) {
                throw new IllegalStateException(String.format(
                        "VT-d unit %#x: invalidation queue error (FSTS.IQE) at IQH %#x for descriptor %#x/%#x",
                        regs.base(), regs.read64(IQH), lo, hi));
            }
            // The register read took its time; look again before the poll's own step, as Linux's
            // loop re-reads the status right after qi_check_fault.
            return reached(cpu.read32(waitStatus), expected);
        }, "invalidation wait descriptor", seq & 0xFFFF_FFFFL);
        // The unit ran the wait, so its head is at least the slot after it. Work nested in the
        // poll may have seen a later head; an earlier bound is still a true one.
        knownHead = after;
    }

    private int nextSequence() {
        int seq = ++waitSequence;
        return seq != 0 ? seq : ++waitSequence; // 0 is the "not yet" value of the status word
    }

    /** Whether wait sequence number {@code status} is {@code expected} or later (numbers wrap; 0 is "none yet"). */
    static boolean reached(int status, int expected) {
        return status != 0 && status - expected >= 0;
    }

    /**
     * Writes one descriptor in the slot at the tail, once the slot after it is free, and claims it.
     * Returns false when work nested in the store took that slot first: a RAM store waits while an
     * ISA DMA transfer holds the bus, and other CPUs' work runs meanwhile. That work queued its own
     * descriptors from the same tail and waited for them, so the unit is past the slot and what
     * landed there is never run; the caller writes the descriptor again at the new tail.
     */
    private boolean tryPut(long lo, long hi) {
        awaitFreeSlot();
        int slot = queueTail;
        memory.write128(queue + (long) slot * VtdInvalidationDescriptorLayout.SIZE, lo, hi);
        if (queueTail != slot) {
            return false;
        }
        queueTail = (slot + 1) % QUEUE_ENTRIES;
        return true;
    }

    /**
     * Polls until the slot after the tail is free (work nested in the poll may move the tail). The
     * unit's head lies between {@link #knownHead} and the tail, so the slot is free unless the
     * bound is that very slot; only then is IQH read.
     */
    private void awaitFreeSlot() {
        if (knownHead != (queueTail + 1) % QUEUE_ENTRIES) {
            return;
        }
        regs.poll(() -> {
            knownHead = (int) ((regs.read64(IQH) & IQ_INDEX_MASK_128) >>> IQ_INDEX_SHIFT_128);
            return knownHead != (queueTail + 1) % QUEUE_ENTRIES;
        }, "a free invalidation queue slot");
    }
}
