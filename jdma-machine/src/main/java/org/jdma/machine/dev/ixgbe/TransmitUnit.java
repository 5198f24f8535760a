package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Supplier;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.net.FrameArrays;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout;

/**
 * The transmit path of a port (82599 datasheet §7.2): per queue, from a tail write to frames on
 * the wire and written-back descriptors.
 *
 * <p>A queue runs while DMATXCTL.TE and its TXDCTL.ENABLE are set, the port is out of reset and
 * the link is up. It fetches the descriptors from TDH up to TDT through the DMA port, one frame at
 * a time: each advanced data descriptor's DTALEN bytes are read and appended to the frame (scatter-
 * gather); context descriptors carry no data and are consumed; TDH advances past each descriptor;
 * a descriptor with RS gets STA.DD written back once its data was read. At the descriptor with
 * EOP the frame goes to the link (padded to 60 bytes with HLREG0.TXPADEN) once its data has
 * arrived, after the frames fetched before it, and counts in GPTC, GOTC, TPT and QPTC. Fetches
 * overlap: the next frame is fetched when the bus has moved this one's requests (their latency
 * overlaps), as long as the transmit packet buffer (TXPBSIZE[0] bytes of fetched frames not yet off
 * the wire) has room; so a port sends at line rate when the bus keeps up. Write-backs raise the queue's transmit cause after their
 * bus time. Descriptors of a frame without EOP yet stay gathered until more arrive.
 *
 * <p>A refused descriptor read stops the queue at that descriptor (not consumed; the next tail
 * write retries it); a refused data read or a malformed descriptor drops its frame at EOP; each
 * refusal sets EICR.PCI. A ring with head or tail beyond its length is not touched.
 */
final class TransmitUnit {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int ETHERNET_HEADER = 14;

    /** One queue's frame in progress. */
    private final class Queue {
        final int index;
        /** The queue's next run, scheduled at most once per generation; a reset makes a new one. */
        Resume resume;
        byte[] frame = new byte[2048];
        MemorySegment frameSegment = MemorySegment.ofArray(frame);
        /** A frame of one data descriptor, read straight into an array of its length on the wire (else null). */
        byte[] whole;
        int length;
        boolean broken;
        boolean scheduled;

        Queue(int index) {
            this.index = index;
            this.resume = new Resume(this);
        }

        void clear() {
            length = 0;
            broken = false;
            whole = null;
        }
    }

    /**
     * A frame fetched into the transmit packet buffer: its bytes, and when it is off the wire (-1
     * until it was handed to the link). It is also the event that hands it over; it goes back on
     * the free list once it has left the packet buffer.
     */
    private final class OnChip implements Runnable {
        long bytes;
        long offWireNs;
        byte[] frame;
        LinkEnd end;
        long generation;

        @Override
        public void run() {
            byte[] f = frame;
            frame = null;
            if (generation == TransmitUnit.this.generation) {
                offWireNs = end.transmit(f, arrays);
            } else {
                arrays.giveBack(f); // reset since: the frame never leaves
            }
            end = null;
        }
    }

    private final Csr csr;
    private final DmaPort port;
    private final InterruptUnit interrupts;
    private final QueueCauses causes;
    private final EventKernel kernel;
    private final FaultCounters.Live faults;
    /** The link when the port may send (out of reset, link up), else null. */
    private final Supplier<LinkEnd> link;
    private final Queue[] queues;
    private final String nextLabel;
    private final String causeLabel;
    private final MemorySegment descriptor = MemorySegment.ofArray(new byte[AdvancedTxDescriptorLayout.SIZE]);
    private final MemorySegment status = MemorySegment.ofArray(new byte[4]);
    /** The arrays of the frames sent, back from the link's far end when it is done with them. */
    private final FrameArrays arrays = new FrameArrays();
    private long generation;
    private long framesSent;
    /** Frames fetched into the transmit packet buffer and not yet off the wire, oldest first. */
    private final java.util.ArrayDeque<OnChip> onChip = new java.util.ArrayDeque<>();
    /** Entries that have left the packet buffer, for reuse (last in, first out). */
    private final java.util.ArrayDeque<OnChip> freeOnChip = new java.util.ArrayDeque<>();
    private long onChipBytes;
    /** When the last fetched frame goes to the link: frames leave in fetch order. */
    private long lastHandOverNs;

    TransmitUnit(Csr csr, DmaPort port, InterruptUnit interrupts, EventKernel kernel, FaultCounters.Live faults,
                 Supplier<LinkEnd> link, String name) {
        this.csr = csr;
        this.port = port;
        this.interrupts = interrupts;
        this.kernel = kernel;
        this.faults = faults;
        this.link = link;
        this.queues = new Queue[csr.queues];
        for (int q = 0; q < queues.length; q++) {
            queues[q] = new Queue(q);
        }
        this.nextLabel = name + " tx";
        this.causeLabel = name + " tx wb";
        this.causes = new QueueCauses(interrupts, true, () -> generation);
        status.set(LE_INT, 0, AdvancedTxDescriptorLayout.STA_DD);
    }

    /** Frames handed to the link since the machine was built. */
    long framesSent() {
        return framesSent;
    }

    /** A reset: frames in progress are dropped, scheduled work is forgotten. */
    void reset() {
        generation++;
        onChip.clear();
        onChipBytes = 0;
        lastHandOverNs = 0;
        for (Queue s : queues) {
            s.clear();
            s.scheduled = false;
            s.resume = new Resume(s); // the old one may still be pending, with the old generation
        }
    }

    /** Queue {@code q}'s tail moved (or it was enabled): send what is there, unless it is already sending. */
    void kick(int q) {
        if (!queues[q].scheduled) {
            run(q);
        }
    }

    void kickAll() {
        for (int q = 0; q < queues.length; q++) {
            kick(q);
        }
    }

    private void run(int q) {
        LinkEnd end = link.get();
        if (end == null || !csr.bit(csr.dmatxctl, DMATXCTL_TE) || !csr.bit(csr.txdctl[q], TXDCTL_ENABLE)) {
            return;
        }
        Queue s = queues[q];
        int ring = validRing(q);
        if (ring < 0) {
            return;
        }
        int head = csr.get(csr.tdh[q]);
        int tail = csr.get(csr.tdt[q]);
        long g = generation;
        long room = roomAt();
        if (room > kernel.now()) {
            runAgainAt(q, s, room, g);
            return;
        }
        long base = (csr.get(csr.tdbah[q]) & 0xFFFF_FFFFL) << 32 | (csr.get(csr.tdbal[q]) & 0xFFFF_FFFFL);
        long cost = 0;
        long occupancy = 0;
        boolean wroteBack = false;
        long nextAt = -1;
        while (head != tail) {
            long at = base + (long) AdvancedTxDescriptorLayout.SIZE * head;
            DmaResult r = port.read(at, descriptor, 0, AdvancedTxDescriptorLayout.SIZE);
            cost += r.costNs();
            occupancy += busyNs(at, AdvancedTxDescriptorLayout.SIZE);
            if (!r.isOk()) {
                fetchRefused();
                break;
            }
            int cmd = descriptor.get(LE_INT, AdvancedTxDescriptorLayout.CMD_TYPE_LEN);
            boolean data = AdvancedTxDescriptorLayout.isData(cmd);
            if (data) {
                long address = descriptor.get(LE_LONG, AdvancedTxDescriptorLayout.BUFFER_ADDR);
                cost += gather(s, address, cmd & AdvancedTxDescriptorLayout.DTALEN_MASK,
                        (cmd & AdvancedTxDescriptorLayout.DCMD_EOP) != 0);
                occupancy += busyNs(address, cmd & AdvancedTxDescriptorLayout.DTALEN_MASK);
            } else if (!AdvancedTxDescriptorLayout.isContext(cmd)) {
                faults.malformedDescriptors++;
                s.broken = true;
            }
            head = (head + 1) % ring;
            csr.set(csr.tdh[q], head);
            if ((cmd & AdvancedTxDescriptorLayout.DCMD_RS) != 0) {
                cost += writeBackDone(at);
                wroteBack = true;
            }
            if (data && (cmd & AdvancedTxDescriptorLayout.DCMD_EOP) != 0) {
                send(q, s, end, kernel.now() + cost);
                nextAt = kernel.now() + Math.max(1, occupancy);
                break;
            }
        }
        if (wroteBack) {
            queueCauseAfter(q, cost, g);
        }
        if (nextAt >= 0) {
            runAgainAt(q, s, nextAt, g);
        }
    }

    /**
     * Queue {@code q}'s ring size in descriptors, or -1 when there is nothing to do: an empty ring, or
     * a length, head or tail that makes no sense (counted, unless it is merely an unset ring).
     */
    private int validRing(int q) {
        int ring = csr.get(csr.tdlen[q]) / AdvancedTxDescriptorLayout.SIZE;
        int head = csr.get(csr.tdh[q]);
        int tail = csr.get(csr.tdt[q]);
        if (ring == 0 || head >= ring || tail >= ring) {
            if (ring != 0 || head != tail) {
                faults.ringErrors++;
            }
            return -1;
        }
        return ring;
    }

    /** A descriptor fetch was refused: counted, and the PCI cause raised; the queue stops there. */
    private void fetchRefused() {
        faults.descriptorFetchFaults++;
        interrupts.otherCause(EICR_PCI);
    }

    /** Raises queue {@code q}'s transmit cause once its write-backs have taken {@code cost} ns of bus time (unless reset meanwhile). */
    private void queueCauseAfter(int q, long cost, long g) {
        kernel.schedule(cost, causeLabel, causes.event(q, g));
    }

    /** Runs queue {@code q} again at {@code at}, unless the port was reset (generation {@code g} gone) meanwhile. */
    private void runAgainAt(int q, Queue s, long at, long g) {
        s.scheduled = true;
        s.resume.generation = g;
        kernel.scheduleAt(at, nextLabel, s.resume);
    }

    /** A queue's next run, unless the port was reset since it was scheduled. */
    private final class Resume implements Runnable {
        private final Queue queue;
        private long generation;

        Resume(Queue queue) {
            this.queue = queue;
        }

        @Override
        public void run() {
            if (generation == TransmitUnit.this.generation) {
                queue.scheduled = false;
                TransmitUnit.this.run(queue.index);
            }
        }
    }

    /** Writes DD back into the descriptor at {@code at} (RS was set); a refused write is counted. Returns the bus time. */
    private long writeBackDone(long at) {
        DmaResult w = port.write(at + AdvancedTxDescriptorLayout.OLINFO_STATUS, status, 0, 4);
        if (!w.isOk()) {
            faults.writeBackFaults++;
            interrupts.otherCause(EICR_PCI);
        }
        return w.costNs();
    }

    /**
     * Appends a data descriptor's buffer to the frame; returns the bus time. A frame that is this
     * one descriptor ({@code eop}, nothing gathered before) is read straight into an array of its
     * length on the wire, so its bytes are moved once.
     */
    private long gather(Queue s, long address, int length, boolean eop) {
        if (s.broken || length == 0) {
            return 0;
        }
        if (s.length + length > ReceiveUnit.MAX_JUMBO_FRAME) {
            s.broken = true;
            return 0;
        }
        if (eop && s.length == 0) {
            int padded = paddedLength(length);
            byte[] whole = arrays.take(padded);
            DmaResult r = port.read(address, MemorySegment.ofArray(whole), 0, length);
            if (!r.isOk()) {
                faults.bufferFaults++;
                interrupts.otherCause(EICR_PCI);
                s.broken = true;
                arrays.giveBack(whole);
            } else {
                Arrays.fill(whole, length, padded, (byte) 0); // a reused array holds an older frame's bytes there
                s.whole = whole;
                s.length = length;
            }
            return r.costNs();
        }
        if (s.frame.length < s.length + length) {
            s.frame = Arrays.copyOf(s.frame, Math.max(s.length + length, 2 * s.frame.length));
            s.frameSegment = MemorySegment.ofArray(s.frame);
        }
        DmaResult r = port.read(address, s.frameSegment, s.length, length);
        if (!r.isOk()) {
            faults.bufferFaults++;
            interrupts.otherCause(EICR_PCI);
            s.broken = true;
        } else {
            s.length += length;
        }
        return r.costNs();
    }

    /**
     * The earliest time the transmit packet buffer (TXPBSIZE[0]) has room for another frame: now,
     * or when the oldest frame on chip has left the wire.
     */
    private long roomAt() {
        while (!onChip.isEmpty() && onChip.peekFirst().offWireNs >= 0 && onChip.peekFirst().offWireNs <= kernel.now()) {
            OnChip gone = onChip.removeFirst();
            onChipBytes -= gone.bytes;
            freeOnChip.addLast(gone);
        }
        long capacity = csr.get(csr.txpbsize[0]) & 0xFFFF_FFFFL;
        if (onChipBytes < capacity || onChip.isEmpty()) {
            return kernel.now();
        }
        OnChip oldest = onChip.peekFirst();
        return oldest.offWireNs >= 0 ? oldest.offWireNs : lastHandOverNs;
    }

    /** The length a frame of {@code length} gathered bytes goes on the wire with: padded to 60 bytes with HLREG0.TXPADEN. */
    private int paddedLength(int length) {
        return length < ReceiveUnit.MIN_FRAME && csr.bit(csr.hlreg0, HLREG0_TXPADEN) ? ReceiveUnit.MIN_FRAME : length;
    }

    /** Time the bus is busy moving [address, address + length), latency excluded: requests overlap. */
    private long busyNs(long address, int length) {
        return port.timing().wireTimeNs(port.timing().transactions(address, length));
    }

    /**
     * Hands the gathered frame to the link at {@code readyNs} (when its data has arrived, and
     * after every frame fetched before it): the fetch of the next frame overlaps this one's wait.
     */
    private void send(int q, Queue s, LinkEnd end, long readyNs) {
        if (s.broken || s.length < ETHERNET_HEADER) {
            faults.droppedTransmits++;
            if (s.whole != null) {
                arrays.giveBack(s.whole);
            }
            s.clear();
            return;
        }
        byte[] frame = s.whole;
        if (frame == null) {
            frame = arrays.take(paddedLength(s.length));
            System.arraycopy(s.frame, 0, frame, 0, s.length);
            Arrays.fill(frame, s.length, frame.length, (byte) 0); // older frames' bytes, in a reused array or the gather array
        }
        int length = frame.length;
        s.clear();
        csr.count(csr.gptc);
        csr.count(csr.tpt);
        csr.count(csr.qptc[q]);
        csr.addOctets(csr.gotcl, csr.gotch, length + FCS_BYTES);
        if ((frame[0] & 1) != 0) {
            csr.count(allOnes(frame) ? csr.bptc : csr.mptc);
        }
        framesSent++;
        OnChip entry = onChip(length, frame, end);
        onChip.addLast(entry);
        onChipBytes += length;
        long handOver = Math.max(readyNs, lastHandOverNs);
        lastHandOverNs = handOver;
        kernel.scheduleAt(handOver, nextLabel, entry);
    }

    /** A packet-buffer entry for {@code frame}, from the free list when one is there. */
    private OnChip onChip(int length, byte[] frame, LinkEnd end) {
        OnChip e = freeOnChip.pollLast();
        if (e == null) {
            e = new OnChip();
        }
        e.bytes = length;
        e.offWireNs = -1;
        e.frame = frame;
        e.end = end;
        e.generation = generation;
        return e;
    }

    private static boolean allOnes(byte[] f) {
        for (int i = 0; i < 6; i++) {
            if (f[i] != (byte) 0xFF) {
                return false;
            }
        }
        return true;
    }
}
