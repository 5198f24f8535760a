package org.jdma.kernel.drivers.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout.*;

import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.RingHolds;
import org.jdma.kernel.driver.MmioWindow;
import org.jdma.kernel.net.PacketBuffer;
import org.jdma.platform.Cpu;
import org.jdma.spec.ixgbe.IxgbeRegisters;

/**
 * One transmit queue: its ring of advanced data descriptors in coherent memory and ixy's batch
 * send (reference: {@code ixgbe_tx_batch}). Each packet is one descriptor (EOP, IFCS, RS) naming
 * the buffer mapped for this device with the streaming API; the ring is full when the next slot
 * is the first one not cleaned (one slot stays free). Clean-up is in batches: when the last
 * descriptor of the next {@code cleanBatch} has DD, all of them are unmapped and their buffers go
 * back to their pools; {@link #clean(Cpu, boolean)} with {@code all} also takes a shorter tail.
 * TDT is written once per batch, after the descriptors.
 */
final class TxQueue {

    private static final int DCMD = DCMD_EOP | DCMD_IFCS | DCMD_RS;

    private final int queue;
    private final int size;
    private final CoherentAllocation ring;
    private final DeviceDmaApi dma;
    private final MmioWindow registers;
    private final int cleanBatch;
    private final PacketBuffer[] buffers;
    private final long[] mapped;
    /** What each descriptor names, held while it is in flight (null when the DMA API cannot check). */
    private final RingHolds holds;
    /** This queue's one producer and consumer stage their holds here (null when nothing is checked). */
    private final RingHolds.Staging staging;
    private long sequence;
    private int next;
    private int clean;
    long mapFailures;

    TxQueue(int queue, int size, CoherentAllocation ring, DeviceDmaApi dma, MmioWindow registers, int cleanBatch) {
        this.queue = queue;
        this.size = size;
        this.ring = ring;
        this.dma = dma;
        this.registers = registers;
        this.cleanBatch = cleanBatch;
        this.buffers = new PacketBuffer[size];
        this.mapped = new long[size];
        RingHolds h = new RingHolds(dma.inFlight(), size, 1,
                tag -> tag < 0 ? "transmit ring " + queue : "transmit descriptor " + tag + " of queue " + queue);
        this.holds = h.checks() ? h : null;
        this.staging = holds == null ? null : holds.staging();
        if (holds != null) {
            holds.holdRing(ring.dmaAddress(), ring.size());
        }
    }

    CoherentAllocation ring() {
        return ring;
    }

    private long slot(int i) {
        return ring.physical() + (long) i * SIZE;
    }

    /** The device address descriptor {@code slot} names (for tests of what holds it). */
    long mappedAddress(int slot) {
        return mapped[slot];
    }

    /** Descriptors handed to the device and not cleaned yet. */
    int pending() {
        return (next - clean) & (size - 1);
    }

    /**
     * Reclaims sent descriptors: in batches of {@code cleanBatch} whose last descriptor has DD, and
     * with {@code all} also each remaining descriptor with DD. Returns how many.
     */
    int clean(Cpu cpu, boolean all) {
        int cleaned = 0;
        while (pending() > 0) {
            int n = Math.min(cleanBatch, pending());
            if (n < cleanBatch && !all) {
                break;
            }
            int last = (clean + n - 1) & (size - 1);
            if ((cpu.read32Acquire(slot(last) + OLINFO_STATUS) & STA_DD) == 0) {
                if (!all) {
                    break;
                }
                n = 0;
                while (n < pending() && (cpu.read32Acquire(slot((clean + n) & (size - 1)) + OLINFO_STATUS) & STA_DD) != 0) {
                    n++;
                }
                if (n == 0) {
                    break;
                }
            }
            int first = clean;
            for (int k = 0; k < n; k++) {
                if (holds != null) {
                    staging.reaped((first + k) & (size - 1));
                }
            }
            clean = (first + n) & (size - 1);
            if (holds != null) {
                staging.releaseReaped();
            }
            for (int k = 0; k < n; k++) {
                int i = (first + k) & (size - 1);
                PacketBuffer b = buffers[i];
                dma.unmapSingle(mapped[i], Math.max(1, b.size()), DmaDirection.TO_DEVICE);
                buffers[i] = null;
                b.free();
            }
            cleaned += n;
        }
        return cleaned;
    }

    /** ixy's tx_batch: clean, then queue as many of {@code bufs[0..count)} as fit; one tail write. */
    int send(Cpu cpu, PacketBuffer[] bufs, int count) {
        clean(cpu, false);
        int sent = 0;
        while (sent < count) {
            int i = next;
            int after = (i + 1) & (size - 1);
            if (after == clean) {
                break;
            }
            PacketBuffer b = bufs[sent];
            long address = dma.mapSingle(b.physical(), Math.max(1, b.size()), DmaDirection.TO_DEVICE);
            if (dma.mappingError(address)) {
                mapFailures++;
                break;
            }
            if (holds != null) {
                staging.ranges().add("buffer address", address, Math.max(1, b.size()), DmaDirection.TO_DEVICE);
                staging.stage(0, sequence);
                staging.commit(0, i);
            }
            sequence++;
            buffers[i] = b;
            mapped[i] = address;
            cpu.write64(slot(i) + BUFFER_ADDR, address);
            cpu.write32(slot(i) + CMD_TYPE_LEN, dataCmdTypeLen(b.size(), DCMD));
            cpu.write32Release(slot(i) + OLINFO_STATUS, olinfo(b.size()));
            next = after;
            sent++;
        }
        if (sent > 0) {
            registers.write32(IxgbeRegisters.tdt(queue), next);
        }
        return sent;
    }

    /** After the queue stopped: unmaps and frees what is still on the ring, sent or not. */
    void drain() {
        if (holds != null) {
            holds.releaseAll(true);
            staging.releaseAll();
        }
        while (clean != next) {
            int i = clean;
            dma.unmapSingle(mapped[i], Math.max(1, buffers[i].size()), DmaDirection.TO_DEVICE);
            buffers[i].free();
            buffers[i] = null;
            clean = (i + 1) & (size - 1);
        }
    }
}
