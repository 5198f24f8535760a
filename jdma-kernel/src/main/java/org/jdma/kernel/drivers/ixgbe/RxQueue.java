package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.*;

import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.ring.RingMemory;
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
 * each slot, and ixy's batch receive (reference: {@code ixgbe_rx_batch}) extended to frames over
 * several descriptors (Linux {@code ixgbe_clean_rx_irq}: the buffers up to EOP become one chain). Each completed
 * descriptor is reposted with a fresh buffer from the page pool before the next is looked at
 * (one buffer back for each one taken), and RDT is written once per batch, one behind the last
 * slot processed so it never catches up with RDH.
 */
final class RxQueue {

    private final int queue;
    private final int size;
    private final CoherentAllocation ring;
    /** The ring as the CPU reaches it (resolved once). */
    private final RingMemory memory;
    private final PagePool pool;
    private final MmioWindow registers;
    private final PacketBuffer[] posted;
    /** The buffer each posted descriptor names, held while the device may write it (null when the DMA API cannot check). */
    private final RingHolds holds;
    /** This queue's one producer and consumer stage their holds here (null when nothing is checked). */
    private final RingHolds.Staging staging;
    private long sequence;
    private int next;
    /** The frame being collected: its first and last buffer, its segment count, an error seen on any. */
    private PacketBuffer head, tail;
    private int segments;
    private boolean frameError;
    long errors;
    /** Completions the driver could not repost for lack of buffers: left for the next batch. */
    long starved;
    /** Whether the last {@link #receive} took nothing because the next descriptor was not written back. */
    private boolean foundEmpty;

    RxQueue(int queue, int size, CoherentAllocation ring, Cpu cpu, PagePool pool, DeviceDmaApi dma, MmioWindow registers) {
        this.queue = queue;
        this.size = size;
        this.ring = ring;
        this.memory = RingMemory.of(cpu, ring);
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

    /** Where descriptor {@code i} starts in the ring. */
    private static long offset(int i) {
        return (long) i * SIZE;
    }

    /** Posts a buffer in every slot (read format: packet address, header address 0 so DD is clear). */
    void fill() {
        for (int i = 0; i < size; i++) {
            PacketBuffer b = pool.allocForDevice();
            if (b == null) {
                throw new IllegalStateException(pool.name() + ": no buffer for receive slot " + i);
            }
            post(i, b);
        }
    }

    private void post(int i, PacketBuffer b) {
        if (holds != null) {
            staging.ranges().add("packet buffer address", b.dmaAddress(), b.capacity(), DmaDirection.FROM_DEVICE);
            staging.stage(0, sequence);
            staging.commit(0, i);
        }
        sequence++;
        posted[i] = b;
        memory.write64(offset(i) + PKT_ADDR, b.dmaAddress());
        memory.write64(offset(i) + HDR_ADDR, 0);
    }

    /** The tail after {@link #fill}: all but one slot given to the device. */
    int initialTail() {
        return size - 1;
    }

    /**
     * ixy's rx_batch, with frames over several descriptors: up to {@code max} frames into
     * {@code out}, each the first buffer of its chain; every descriptor taken is reposted with a
     * fresh buffer. A frame whose EOP descriptor has not been written yet stays here, partly
     * collected, for the next batch. A frame with an error on any of its descriptors is freed and
     * counted in {@link #errors}.
     */
    int receive(PacketBuffer[] out, int max) {
        int n = 0;
        int last = -1;
        foundEmpty = false;
        while (n < max) {
            int i = next;
            int statusError = memory.readAcquire32(offset(i) + STATUS_ERROR);
            if ((statusError & STAT_DD) == 0) {
                foundEmpty = last < 0;
                break;
            }
            PacketBuffer fresh = pool.allocForDevice();
            if (fresh == null) {
                starved++;
                break;
            }
            int length = memory.read16(offset(i) + LENGTH) & 0xFFFF;
            int info = memory.read32(offset(i) + PKT_INFO);
            int hash = memory.read32(offset(i) + RSS_HASH);
            PacketBuffer b = posted[i];
            if (holds != null) {
                staging.reaped(i);
                staging.releaseReaped();
            }
            pool.received(b, Math.min(length, b.capacity()));
            post(i, fresh);
            last = i;
            next = (i + 1) & (size - 1);
            PacketBuffer frame = collect(b, statusError);
            if (frame == null) {
                continue;
            }
            if (frameError) {
                errors++;
                frame.free();
                continue;
            }
            frame.setRss(hash, info & RSSTYPE_MASK);
            out[n++] = frame;
        }
        if (last >= 0) {
            registers.write32(IxgbeRegisters.rdt(queue), last);
        }
        return n;
    }

    /**
     * Whether the last {@link #receive} took nothing because the next descriptor had not been
     * written back: until the card writes it, every receive takes nothing and changes nothing.
     */
    boolean foundEmpty() {
        return foundEmpty;
    }

    /**
     * Adds {@code b} to the frame being collected; returns the frame's first buffer once
     * {@code b}'s descriptor had EOP, else null. A frame with more segments than the ring has
     * slots cannot be one the card wrote: it ends there, as an error.
     */
    private PacketBuffer collect(PacketBuffer b, int statusError) {
        if (head == null) {
            head = b;
            segments = 0;
            frameError = false;
        } else {
            tail.append(b);
        }
        tail = b;
        segments++;
        frameError |= (statusError & ERR_RXE) != 0;
        if ((statusError & STAT_EOP) == 0 && segments < size) {
            return null;
        }
        frameError |= (statusError & STAT_EOP) == 0;
        PacketBuffer frame = head;
        head = null;
        tail = null;
        return frame;
    }

    /** Takes back every posted buffer (the queue is stopped). */
    void drain() {
        if (holds != null) {
            holds.releaseAll(true);
            staging.releaseAll();
        }
        if (head != null) {
            head.free();
            head = null;
            tail = null;
        }
        for (int i = 0; i < size; i++) {
            if (posted[i] != null) {
                posted[i].free();
                posted[i] = null;
            }
        }
    }
}
