package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.net.FrameArrays;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.ixgbe.RssHash;

/**
 * The receive path of a port (82599 datasheet §7.1), from a frame off the wire to a written-back
 * descriptor and its interrupt cause:
 *
 * <ol>
 *   <li>Counted in TPR/TOR; undersize (RUC) and oversize (ROC) frames are dropped: oversize is
 *       longer than 1522 bytes with FCS, or with HLREG0.JUMBOEN longer than MAXFRS.MFS.</li>
 *   <li>Layer 2 filter: broadcast passes with FCTRL.BAM, other group addresses with FCTRL.MPE,
 *       unicast with FCTRL.UPE or when it equals a receive address (RAL/RAH) whose AV bit is set.
 *       Passed frames count in GPRC/GORC (and BPRC/MPRC).</li>
 *   <li>Queue: an enabled EtherType filter (ETQF with ETQS.QUEUE_EN) that matches bytes 12..13
 *       steers the frame to its queue; otherwise, with MRQC.MRQE = RSS, the queue in
 *       RETA[hash &amp; 0x7F] ({@link RssHash}; a frame with no hashable fields has hash 0);
 *       otherwise queue 0. The RSS type and packet type go into the write-back's dword 0, the
 *       hash into dword 1 when RXCSUM.PCSD is set.</li>
 *   <li>Placement: the frame needs ceil(length / (SRRCTL.BSIZEPKT KB)) descriptors from RDH up to,
 *       not including, RDT. With too few, the frame is dropped and counted in QPRDC when
 *       SRRCTL.DROP_EN is set; otherwise it waits in the packet buffer (RXPBSIZE[0] bytes; RNBC
 *       counts every frame that waits) until a tail write frees descriptors, and a frame that finds the packet buffer
 *       full is dropped, counted in MPC and raises EICR.RX_MISS. Frames leave the packet buffer in
 *       arrival order.</li>
 *   <li>DMA, in datasheet order: read the descriptors, write the data into their buffers, write
 *       each descriptor back (DD, its length; EOP on the last), advance RDH; after the requests'
 *       bus time, the queue's receive cause ({@link InterruptUnit#queueCause}).</li>
 * </ol>
 *
 * A refused descriptor read drops the frame and consumes nothing; a refused data write leaves its
 * buffer unwritten and the descriptors are written back with RXE on the last, so the ring moves on;
 * a refused write-back is counted. Each refusal sets EICR.PCI.
 */
final class ReceiveUnit {

    /** The longest frame without JUMBOEN, FCS excluded: 1500 bytes of payload, a header and a VLAN tag. */
    static final int MAX_FRAME = STANDARD_MAX_FRAME - FCS_BYTES;
    /** The longest frame with HLREG0.JUMBOEN whatever MAXFRS says, FCS excluded (15.5 KB with it). */
    static final int MAX_JUMBO_FRAME = MAX_FRAME_SIZE_LIMIT - FCS_BYTES;
    /** The shortest frame a MAC accepts, FCS excluded (64 bytes with it). */
    static final int MIN_FRAME = 60;

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private enum Outcome { PLACED, NO_DESCRIPTORS, DROPPED }

    /** A frame in the packet buffer; {@code arrays}: where its array goes back once placed or dropped, or null. */
    private record Waiting(byte[] frame, int queue, int filter, RssHash.Result rss, FrameArrays arrays) { }

    private final Csr csr;
    private final DmaPort port;
    private final InterruptUnit interrupts;
    private final EventKernel kernel;
    private final FaultCounters.Live faults;
    private final String causeLabel;
    private final MemorySegment descriptor = MemorySegment.ofArray(new byte[AdvancedRxDescriptorLayout.SIZE]);
    private final ArrayDeque<Waiting> packetBuffer = new ArrayDeque<>();
    private long packetBufferBytes;
    private long[] bufferAddresses = new long[8];
    private long generation;
    private long framesPlaced;
    private final QueueCauses causes;

    ReceiveUnit(Csr csr, DmaPort port, InterruptUnit interrupts, EventKernel kernel, FaultCounters.Live faults, String name) {
        this.csr = csr;
        this.port = port;
        this.interrupts = interrupts;
        this.kernel = kernel;
        this.faults = faults;
        this.causeLabel = name + " rx";
        this.causes = new QueueCauses(interrupts, false, () -> generation);
    }

    /** Frames written into receive buffers since the machine was built. */
    long framesPlaced() {
        return framesPlaced;
    }

    /** Frames waiting in the packet buffer for descriptors. */
    int waiting() {
        return packetBuffer.size();
    }

    /** A reset: the packet buffer empties, pending causes are forgotten. */
    void reset() {
        generation++;
        packetBuffer.clear();
        packetBufferBytes = 0;
    }

    /** A frame arrived from the wire. {@code enabled} is false in reset or with RXCTRL.RXEN clear. */
    void receive(byte[] frame, boolean enabled) {
        receive(frame, enabled, null);
    }

    /**
     * {@link #receive(byte[], boolean)}, and {@code frame} goes back to {@code arrays} (unless
     * null) once this unit is done with it: at once when it was placed or dropped, later when it
     * waited in the packet buffer.
     */
    void receive(byte[] frame, boolean enabled, FrameArrays arrays) {
        if (!receiveOrHold(frame, enabled, arrays) && arrays != null) {
            arrays.giveBack(frame);
        }
    }

    /** Whether {@code frame} now waits in the packet buffer (else it was placed or dropped). */
    private boolean receiveOrHold(byte[] frame, boolean enabled, FrameArrays arrays) {
        if (!enabled || !csr.bit(csr.rxctrl, RXCTRL_RXEN)) {
            faults.disabledDrops++;
            return false;
        }
        csr.count(csr.tpr);
        csr.addOctets(csr.torl, csr.torh, frame.length + FCS_BYTES);
        if (frame.length < MIN_FRAME) {
            csr.count(csr.ruc);
            return false;
        }
        if (frame.length > maxFrame()) {
            csr.count(csr.roc);
            return false;
        }
        if (!accepted(frame)) {
            faults.filteredFrames++;
            return false;
        }
        csr.count(csr.gprc);
        csr.addOctets(csr.gorcl, csr.gorch, frame.length + FCS_BYTES);
        if (isBroadcast(frame)) {
            csr.count(csr.bprc);
        } else if ((frame[0] & 1) != 0) {
            csr.count(csr.mprc);
        }
        int filter = matchingFilter(frame);
        RssHash.Result rss = filter < 0 ? rss(frame) : RssHash.Result.NONE;
        int queue;
        if (filter >= 0) {
            queue = csr.get(csr.etqs[filter]) >>> ETQS_RX_QUEUE_SHIFT & 0x7F;
        } else if ((csr.get(csr.mrqc) & MRQC_MRQE_MASK) == MRQC_RSSEN) {
            queue = csr.retaEntry(RssHash.retaIndex(rss.hash()));
        } else {
            queue = 0;
        }
        if (queue >= csr.queues) {
            queue = 0;
        }
        if (!packetBuffer.isEmpty()) {
            return hold(frame, queue, filter, rss, arrays);
        }
        if (place(frame, queue, filter, rss) == Outcome.NO_DESCRIPTORS) {
            if (csr.bit(csr.srrctl[queue], SRRCTL_DROP_EN)) {
                csr.count(csr.qprdc[queue]);
            } else {
                return hold(frame, queue, filter, rss, arrays);
            }
        }
        return false;
    }

    /**
     * The longest frame accepted, FCS excluded: with HLREG0.JUMBOEN, MAXFRS.MFS (at most the
     * card's 15.5 KB); without, a standard frame with a VLAN tag.
     */
    private int maxFrame() {
        if (!csr.bit(csr.hlreg0, HLREG0_JUMBOEN)) {
            return MAX_FRAME;
        }
        int mfs = csr.get(csr.maxfrs) >>> MAXFRS_MFS_SHIFT;
        return Math.min(mfs, MAX_FRAME_SIZE_LIMIT) - FCS_BYTES;
    }

    /** The frame's RSS hash and packet type with RSS on; only the packet type with it off. */
    private RssHash.Result rss(byte[] frame) {
        if (!RssHash.mayHash(frame)) {
            return RssHash.Result.NONE; // without reading the key (ten registers) for a frame it would not be used on
        }
        boolean on = (csr.get(csr.mrqc) & MRQC_MRQE_MASK) == MRQC_RSSEN;
        RssHash.Result r = RssHash.of(frame, on ? csr.get(csr.mrqc) : 0, on ? csr.rssKey() : RSS_OFF_KEY);
        return r;
    }

    /** A key for frames hashed with every field off (only the packet type is wanted). */
    private static final byte[] RSS_OFF_KEY = new byte[RSS_KEY_BYTES];

    /** Software gave descriptors back (a tail write) or enabled something: frames waiting move on. */
    void drain() {
        while (!packetBuffer.isEmpty()) {
            Waiting w = packetBuffer.peekFirst();
            if (place(w.frame, w.queue, w.filter, w.rss) == Outcome.NO_DESCRIPTORS) {
                if (!csr.bit(csr.srrctl[w.queue], SRRCTL_DROP_EN)) {
                    return;
                }
                csr.count(csr.qprdc[w.queue]);
            }
            packetBuffer.removeFirst();
            packetBufferBytes -= w.frame.length + FCS_BYTES;
            if (w.arrays != null) {
                w.arrays.giveBack(w.frame);
            }
        }
    }

    /** Whether the frame waits in the packet buffer: false when it is missed (MPC) because it does not fit. */
    private boolean hold(byte[] frame, int queue, int filter, RssHash.Result rss, FrameArrays arrays) {
        long size = frame.length + FCS_BYTES;
        long capacity = csr.get(csr.rxpbsize[0]) & 0xFFFF_FFFFL;
        if (packetBufferBytes + size > capacity) {
            csr.count(csr.mpc[0]);
            interrupts.otherCause(EICR_RX_MISS);
            return false;
        }
        csr.count(csr.rnbc[0]);
        packetBuffer.addLast(new Waiting(frame, queue, filter, rss, arrays));
        packetBufferBytes += size;
        return true;
    }

    // ---------------------------------------------------------------- filters

    private static boolean isBroadcast(byte[] f) {
        for (int i = 0; i < 6; i++) {
            if (f[i] != (byte) 0xFF) {
                return false;
            }
        }
        return true;
    }

    private boolean accepted(byte[] f) {
        int fctrl = csr.get(csr.fctrl);
        if (isBroadcast(f)) {
            return (fctrl & FCTRL_BAM) != 0;
        }
        if ((f[0] & 1) != 0) {
            return (fctrl & FCTRL_MPE) != 0;
        }
        if ((fctrl & FCTRL_UPE) != 0) {
            return true;
        }
        long low = (f[0] & 0xFF) | (f[1] & 0xFF) << 8 | (f[2] & 0xFF) << 16 | (f[3] & 0xFFL) << 24;
        long high = (f[4] & 0xFF) | (f[5] & 0xFF) << 8;
        for (int i = 0; i < csr.ral.length; i++) {
            long rah = csr.get(csr.rah[i]) & 0xFFFF_FFFFL;
            if ((rah & (RAH_AV & 0xFFFF_FFFFL)) != 0 && (rah & RAH_ADDRESS_HIGH) == high
                    && (csr.get(csr.ral[i]) & 0xFFFF_FFFFL) == low) {
                return true;
            }
        }
        return false;
    }

    /** The first enabled EtherType filter steering to a queue that matches, or -1. */
    private int matchingFilter(byte[] f) {
        int type = (f[12] & 0xFF) << 8 | (f[13] & 0xFF);
        for (int i = 0; i < ETQ_FILTERS; i++) {
            int etqf = csr.get(csr.etqf[i]);
            if ((etqf & ETQF_FILTER_EN) != 0 && (etqf & ETQF_ETYPE) == type && csr.bit(csr.etqs[i], ETQS_QUEUE_EN)) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- placement

    private Outcome place(byte[] frame, int q, int filter, RssHash.Result rss) {
        if (!csr.bit(csr.rxdctl[q], RXDCTL_ENABLE)) {
            return Outcome.NO_DESCRIPTORS;
        }
        int ring = csr.get(csr.rdlen[q]) / AdvancedRxDescriptorLayout.SIZE;
        int head = csr.get(csr.rdh[q]);
        int tail = csr.get(csr.rdt[q]);
        long bufferSize = (long) (csr.get(csr.srrctl[q]) & SRRCTL_BSIZEPKT_MASK) * SRRCTL_BSIZEPKT_UNIT;
        if (ring == 0 || head >= ring || tail >= ring || bufferSize == 0) {
            faults.ringErrors++;
            return Outcome.DROPPED;
        }
        int needed = (int) ((frame.length + bufferSize - 1) / bufferSize);
        if (Math.floorMod(tail - head, ring) < needed) {
            return Outcome.NO_DESCRIPTORS;
        }
        long base = (csr.get(csr.rdbah[q]) & 0xFFFF_FFFFL) << 32 | (csr.get(csr.rdbal[q]) & 0xFFFF_FFFFL);
        placementCost = 0;
        if (!fetchBufferAddresses(base, head, ring, needed)) {
            return Outcome.DROPPED;
        }
        int errors = writeFrame(frame, needed, bufferSize);
        writeBack(base, head, ring, needed, frame.length, bufferSize, errors, filter, rss);
        csr.set(csr.rdh[q], (head + needed) % ring);
        csr.count(csr.qprc[q]);
        framesPlaced++;
        kernel.schedule(placementCost, causeLabel, causes.event(q, generation));
        return Outcome.PLACED;
    }

    /** Bus time of the requests the frame being placed has made so far, ns. */
    private long placementCost;

    /** The descriptor address of ring entry {@code head + i}. */
    private static long descriptorAt(long base, int head, int i, int ring) {
        return base + (long) AdvancedRxDescriptorLayout.SIZE * ((head + i) % ring);
    }

    /** Reads the buffer addresses of the {@code needed} descriptors from {@code head}; false (counted) when a read is refused. */
    private boolean fetchBufferAddresses(long base, int head, int ring, int needed) {
        if (bufferAddresses.length < needed) {
            bufferAddresses = new long[Math.max(needed, 2 * bufferAddresses.length)];
        }
        for (int i = 0; i < needed; i++) {
            DmaResult r = port.read(descriptorAt(base, head, i, ring), descriptor, 0, AdvancedRxDescriptorLayout.SIZE);
            placementCost += r.costNs();
            if (!r.isOk()) {
                faults.descriptorFetchFaults++;
                interrupts.otherCause(EICR_PCI);
                return false;
            }
            bufferAddresses[i] = descriptor.get(LE_LONG, AdvancedRxDescriptorLayout.PKT_ADDR);
        }
        return true;
    }

    /** Writes the frame across the buffers; returns RXE when a write was refused (the rest is not written). */
    private int writeFrame(byte[] frame, int needed, long bufferSize) {
        MemorySegment data = MemorySegment.ofArray(frame);
        for (int i = 0; i < needed; i++) {
            long offset = i * bufferSize;
            DmaResult r = port.write(bufferAddresses[i], data, offset, Math.min(bufferSize, frame.length - offset));
            placementCost += r.costNs();
            if (!r.isOk()) {
                faults.bufferFaults++;
                interrupts.otherCause(EICR_PCI);
                return AdvancedRxDescriptorLayout.ERR_RXE;
            }
        }
        return 0;
    }

    /** Writes each descriptor back (DD, EOP on the last, length, errors on the last), after the data. */
    private void writeBack(long base, int head, int ring, int needed, int frameLength, long bufferSize, int errors, int filter,
                           RssHash.Result rss) {
        int info = filter >= 0 ? AdvancedRxDescriptorLayout.etqfPacketInfo(filter) : rss.packetType() | rss.type();
        int hash = csr.bit(csr.rxcsum, RXCSUM_PCSD) ? rss.hash() : 0;
        for (int i = 0; i < needed; i++) {
            boolean last = i == needed - 1;
            int status = AdvancedRxDescriptorLayout.STAT_DD | (last ? AdvancedRxDescriptorLayout.STAT_EOP : 0);
            long offset = i * bufferSize;
            descriptor.set(LE_INT, AdvancedRxDescriptorLayout.PKT_INFO, info);
            descriptor.set(LE_INT, AdvancedRxDescriptorLayout.RSS_HASH, hash);
            descriptor.set(LE_INT, AdvancedRxDescriptorLayout.STATUS_ERROR,
                    AdvancedRxDescriptorLayout.statusError(status, last ? errors : 0));
            descriptor.set(LE_SHORT, AdvancedRxDescriptorLayout.LENGTH, (short) Math.min(bufferSize, frameLength - offset));
            descriptor.set(LE_SHORT, AdvancedRxDescriptorLayout.VLAN, (short) 0);
            DmaResult r = port.write(descriptorAt(base, head, i, ring), descriptor, 0, AdvancedRxDescriptorLayout.SIZE);
            placementCost += r.costNs();
            if (!r.isOk()) {
                faults.writeBackFaults++;
                interrupts.otherCause(EICR_PCI);
            }
        }
    }
}
