package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.*;

import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.RingHolds;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.kernel.net.PagePool;
import org.jdma.platform.Cpu;
import org.jdma.spec.ixgbe.IxgbeRegisters;

/**
 * One receive queue: its ring of advanced descriptors in coherent memory, the buffer posted in
 * each slot, and ixy's batch receive (reference: {@code ixgbe_rx_batch}). Each completed
 * descriptor is reposted with a fresh buffer from the page pool before the next is looked at
 * (one buffer back for each one taken), and RDT is written once per batch, one behind the last
 * slot processed so it never catches up with RDH.
 */
final class RxQueue {

    private final int queue;
    private final int size;
    private final CoherentAllocation ring;
    private final PagePool pool;
    private final MmioWindow registers;
    private final PacketBuffer[] posted;
    /** The buffer each posted descriptor names, held while the device may write it (null when the DMA API cannot check). */
    private final RingHolds holds;
    /** This queue's one producer and consumer stage their holds here (null when nothing is checked). */
    private final RingHolds.Staging staging;
    private long sequence;
    private int next;
    long errors;
    /** Completions the driver could not repost for lack of buffers: left for the next batch. */
    long starved;

    RxQueue(int queue, int size, CoherentAllocation ring, PagePool pool, DeviceDmaApi dma, MmioWindow registers) {
        this.queue = queue;
        this.size = size;
        this.ring = ring;
        this.pool = pool;
        this.registers = registers;
        this.posted = new PacketBuffer[size];
        RingHolds h = new RingHolds(dma.inFlight(), size, 1,
                tag -> tag < 0 ? "receive ring " + queue : "receive descriptor " + tag + " of queue " + queue);
        this.holds = h.checks() ? h : null;
        this.staging = holds == null ? null : holds.staging();
        if (holds != null) {
            holds.holdRing(ring.dmaAddress(), ring.size());
        }
    }

    PagePool pool() {
        return pool;
    }

    CoherentAllocation ring() {
        return ring;
    }

    private long slot(int i) {
        return ring.physical() + (long) i * SIZE;
    }

    /** Posts a buffer in every slot (read format: packet address, header address 0 so DD is clear). */
    void fill(Cpu cpu) {
        for (int i = 0; i < size; i++) {
            PacketBuffer b = pool.allocForDevice();
            if (b == null) {
                throw new IllegalStateException(pool.name() + ": no buffer for receive slot " + i);
            }
            post(cpu, i, b);
        }
    }

    private void post(Cpu cpu, int i, PacketBuffer b) {
        if (holds != null) {
            staging.ranges().add("packet buffer address", b.dmaAddress(), b.capacity(), DmaDirection.FROM_DEVICE);
            staging.stage(0, sequence);
            staging.commit(0, i);
        }
        sequence++;
        posted[i] = b;
        cpu.write64(slot(i) + PKT_ADDR, b.dmaAddress());
        cpu.write64(slot(i) + HDR_ADDR, 0);
    }

    /** The tail after {@link #fill}: all but one slot given to the device. */
    int initialTail() {
        return size - 1;
    }

    /** ixy's rx_batch: up to {@code max} packets into {@code out}; their buffers replaced. */
    int receive(Cpu cpu, PacketBuffer[] out, int max) {
        int n = 0;
        int last = -1;
        while (n < max) {
            int i = next;
            int statusError = cpu.read32Acquire(slot(i) + STATUS_ERROR);
            if ((statusError & STAT_DD) == 0) {
                break;
            }
            PacketBuffer fresh = pool.allocForDevice();
            if (fresh == null) {
                starved++;
                break;
            }
            int length = cpu.read16(slot(i) + LENGTH) & 0xFFFF;
            PacketBuffer b = posted[i];
            if (holds != null) {
                staging.reaped(i);
                staging.releaseReaped();
            }
            pool.received(b, Math.min(length, b.capacity()));
            post(cpu, i, fresh);
            last = i;
            next = (i + 1) & (size - 1);
            if ((statusError & STAT_EOP) == 0 || (statusError & ERR_RXE) != 0) {
                // A frame over several buffers (larger than this driver's 2 KB buffers allow) or with an error: dropped.
                errors++;
                b.free();
                continue;
            }
            out[n++] = b;
        }
        if (last >= 0) {
            registers.write32(IxgbeRegisters.rdt(queue), last);
        }
        return n;
    }

    /** Takes back every posted buffer (the queue is stopped). */
    void drain() {
        if (holds != null) {
            holds.releaseAll(true);
            staging.releaseAll();
        }
        for (int i = 0; i < size; i++) {
            if (posted[i] != null) {
                posted[i].free();
                posted[i] = null;
            }
        }
    }
}
