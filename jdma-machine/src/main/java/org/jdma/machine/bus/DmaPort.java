package org.jdma.machine.bus;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.SegmentCopy;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.spec.pci.RequesterId;

/**
 * A device's only path to memory. Every request carries the requester id of the port's
 * {@link DmaOrigin} (the device's own, or for a legacy DMA channel its bridge's), is translated
 * (identity, or the IOMMU unit that covers that requester id), split at translation boundaries,
 * checked against the address map, snooped against the CPU cache, timed, and reported to bus
 * monitors. Device-access observers ({@link AccessObservers}) see each memory request before it
 * moves data. Nothing here throws for any address or length: problems come back as a faulted
 * {@link DmaResult}.
 *
 * <p>Timing model per request ({@link RequestTiming}): latency (read or write) + wire time of the
 * cache-line transactions touched + translation cost. Data is moved at the moment of the call (functional model); the
 * device schedules its next step {@code costNs} later.
 *
 * <p>Thread use: one device, one thread. A port may be driven from a device thread; its counters
 * are then only read after the thread is joined.
 */
public final class DmaPort {

    // Guest memory is little-endian whatever the host is (see CoherentCache).
    private static final VarHandle INT_ATOMIC = ValueLayout.JAVA_INT.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    /** An MSI's data word on the bus. A constant: a layout made per call costs a VarHandle cache lookup. */
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    /** Requests longer than this are rejected outright (no device moves 4 GiB in one request). */
    public static final long MAX_REQUEST = 1L << 32;

    private final String name;
    private final DmaOrigin origin;
    /** {@code origin.requester()}, kept: every translation asks for it. */
    private final RequesterId requester;
    private final PhysicalMemory memory;
    private final CpuCache cache;
    private final InterruptController interrupts;
    /** What each request costs and adds to the traffic counters. */
    private final RequestTiming requests;
    private final LongSupplier clock;
    private final List<BusMonitor> monitors;
    private final AccessObservers observers;
    private volatile AddressTranslator translator = AddressTranslator.IDENTITY;
    /** The translator's answer for the request being resolved (read at once: the port's one thread). */
    private final AddressTranslator.Result translated = new AddressTranslator.Result();
    private volatile boolean busMasterEnabled = true;
    /** Told when a request of this port ends in a master abort (see {@link #onMasterAbort}). */
    private volatile Runnable masterAbortHook;

    private long faults;
    private long msisSent;

    /**
     * @param origin who the device is on the bus: a PCI function (its requester id) or a legacy DMA
     *               channel behind a bridge (the bridge's requester id, which the IOMMU sees)
     */
    public DmaPort(String name, DmaOrigin origin, PhysicalMemory memory, CpuCache cache,
                   InterruptController interrupts, BusTiming timing, LongSupplier clock) {
        this(name, origin, memory, cache, interrupts, timing, clock, new CopyOnWriteArrayList<>());
    }

    public DmaPort(String name, DmaOrigin origin, PhysicalMemory memory, CpuCache cache,
                   InterruptController interrupts, BusTiming timing, LongSupplier clock, List<BusMonitor> monitors) {
        this(name, origin, memory, cache, interrupts, timing, clock, monitors, new AccessObservers());
    }

    /** @param observers told of every memory request before it moves data (see {@link AccessObservers}) */
    public DmaPort(String name, DmaOrigin origin, PhysicalMemory memory, CpuCache cache, InterruptController interrupts,
                   BusTiming timing, LongSupplier clock, List<BusMonitor> monitors, AccessObservers observers) {
        this.name = name;
        this.origin = java.util.Objects.requireNonNull(origin, "origin");
        this.requester = origin.requester();
        this.memory = memory;
        this.cache = cache;
        this.interrupts = interrupts;
        this.requests = new RequestTiming(timing);
        this.clock = clock;
        this.monitors = monitors;
        this.observers = java.util.Objects.requireNonNull(observers, "observers");
    }

    public String name() { return name; }
    /** Who the requests come from: a PCI function, or a legacy channel behind a bridge. */
    public DmaOrigin origin() { return origin; }
    /**
     * The requester id the port's requests carry, which an IOMMU translates with: the function's
     * own, or for a legacy channel the bridge's.
     */
    public RequesterId requester() { return requester; }
    public BusTiming timing() { return requests.timing(); }
    public long bytesRead() { return requests.bytesRead(); }
    public long bytesWritten() { return requests.bytesWritten(); }
    public long readTransactions() { return requests.readTransactions(); }
    public long writeTransactions() { return requests.writeTransactions(); }
    public long faults() { return faults; }
    public long msisSent() { return msisSent; }

    /** Inserts an IOMMU (or removes it with {@link AddressTranslator#IDENTITY}). */
    public void translator(AddressTranslator t) {
        this.translator = t == null ? AddressTranslator.IDENTITY : t;
    }

    public AddressTranslator translator() {
        return translator;
    }

    /** PCI command register bit 2 (Bus Master Enable). When clear, every DMA is refused. */
    public void busMasterEnabled(boolean on) {
        this.busMasterEnabled = on;
    }

    public boolean busMasterEnabled() {
        return busMasterEnabled;
    }

    /** A translated, RAM-backed run of a request: memory at [offset, offset + length) of {@code segment}. */
    private record Run(MemorySegment segment, long offset, long length, long physical, long costNs) {
    }

    /** Either a run, or a fault; translate + map check for the start of [bus, bus+len). */
    private Object resolve(long bus, long len, Access access) {
        if (!busMasterEnabled) {
            return DmaResult.fault(0, 0, FaultReason.BUS_MASTER_DISABLED, bus, access);
        }
        AddressTranslator tr = translator;
        long physical;
        long translatedLength;
        long translationCost;
        if (tr == AddressTranslator.IDENTITY || tr.passesThrough(requester)) {
            // What the translator would answer, without allocating a Translation per request.
            physical = bus;
            translatedLength = len;
            translationCost = 0;
        } else {
            AddressTranslator.Result t = translated;
            tr.translateInto(requester, bus, len, access, t);
            if (t.fault != null) {
                return DmaResult.fault(0, t.costNs, t.fault, bus, access, t.detail);
            }
            physical = t.physical;
            translatedLength = t.length;
            translationCost = t.costNs;
        }
        long runLen = Math.min(len, translatedLength);
        if (runLen <= 0) {
            // A translator that allows no byte of the request refuses it as a whole.
            return DmaResult.fault(0, translationCost, FaultReason.BLOCKED, bus, access);
        }
        RamRegion r = memory.ramAt(physical);
        if (r == null) {
            FaultReason why = memory.mmioAt(physical) != null ? FaultReason.PEER_TO_PEER : FaultReason.UNSUPPORTED_REQUEST;
            return DmaResult.fault(0, translationCost, why, bus, access);
        }
        runLen = Math.min(runLen, r.end() - physical);
        return new Run(r.memory(), physical - r.base(), runLen, physical, translationCost);
    }

    /** Negative or oversized lengths, and ranges that wrap past 2^64 (ending exactly at 2^64 is fine). */
    private boolean badRequest(long bus, long len) {
        return len < 0 || len > MAX_REQUEST || Long.compareUnsigned(bus + len, bus) < 0 && bus + len != 0;
    }

    /** Device reads [bus, bus + len) of memory into {@code dst} at {@code dstOffset}. */
    public DmaResult read(long bus, MemorySegment dst, long dstOffset, long len) {
        if (badRequest(bus, len) || dstOffset < 0 || dstOffset + len > dst.byteSize()) {
            return finish(Access.READ, bus, len, DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, bus, Access.READ));
        }
        observe(bus, len, false);
        long done = 0;
        long cost = 0;
        while (done < len) {
            Object o = resolve(bus + done, len - done, Access.READ);
            if (o instanceof DmaResult f) {
                return finish(Access.READ, bus, len, requests.timed(Access.READ, bus, done, cost + f.costNs(), f.reason(), f.detail()));
            }
            Run run = (Run) o;
            cache.snoopDeviceRead(run.physical, run.length);
            SegmentCopy.copy(run.segment, run.offset, dst, dstOffset + done, run.length);
            cost += run.costNs;
            done += run.length;
        }
        return finish(Access.READ, bus, len, requests.timed(Access.READ, bus, len, cost, null, FaultDetail.NONE));
    }

    /** Device writes {@code len} bytes from {@code src} at {@code srcOffset} to memory at [bus, bus + len). */
    public DmaResult write(long bus, MemorySegment src, long srcOffset, long len) {
        if (badRequest(bus, len) || srcOffset < 0 || srcOffset + len > src.byteSize()) {
            return finish(Access.WRITE, bus, len, DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, bus, Access.WRITE));
        }
        if (MsiMessageLayout.isInterruptAddress(bus)) {
            return writeInterrupt(bus, src, srcOffset, len);
        }
        observe(bus, len, true);
        long done = 0;
        long cost = 0;
        while (done < len) {
            Object o = resolve(bus + done, len - done, Access.WRITE);
            if (o instanceof DmaResult f) {
                return finish(Access.WRITE, bus, len, requests.timed(Access.WRITE, bus, done, cost + f.costNs(), f.reason(), f.detail()));
            }
            Run run = (Run) o;
            SegmentCopy.copy(src, srcOffset + done, run.segment, run.offset, run.length);
            cache.snoopDeviceWrite(run.physical, run.length);
            cost += run.costNs;
            done += run.length;
        }
        return finish(Access.WRITE, bus, len, requests.timed(Access.WRITE, bus, len, cost, null, FaultDetail.NONE));
    }

    /**
     * Writes one byte with release semantics: every earlier write of this port is visible before
     * it. Used for the status byte that publishes a completion record to a polling CPU thread.
     */
    public DmaResult writeByteRelease(long bus, byte value) {
        observe(bus, 1, true);
        Object o = resolve(bus, 1, Access.WRITE);
        if (o instanceof DmaResult f) {
            return finish(Access.WRITE, bus, 1, requests.timed(Access.WRITE, bus, 0, f.costNs(), f.reason(), f.detail()));
        }
        Run run = (Run) o;
        BYTE_ATOMIC.setRelease(run.segment, run.offset, value);
        cache.snoopDeviceWrite(run.physical, 1);
        return finish(Access.WRITE, bus, 1, requests.timed(Access.WRITE, bus, 1, run.costNs, null, FaultDetail.NONE));
    }

    /** Reads a naturally aligned 32-bit word with acquire semantics (doorbell words in memory). */
    public int readIntAcquire(long bus, DmaResult[] result) {
        if ((bus & 3) == 0) {
            observe(bus, 4, false);
        }
        Object o = (bus & 3) != 0 ? DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, bus, Access.READ)
                : resolve(bus, 4, Access.READ);
        if (o instanceof DmaResult f) {
            result[0] = finish(Access.READ, bus, 4, f);
            return -1;
        }
        Run run = (Run) o;
        cache.snoopDeviceRead(run.physical, 4);
        int v = (int) INT_ATOMIC.getAcquire(run.segment, run.offset);
        result[0] = finish(Access.READ, bus, 4, requests.timed(Access.READ, bus, 4, run.costNs, null, FaultDetail.NONE));
        return v;
    }

    /**
     * Memory-to-memory move inside the device (MEMMOVE): reads [src, src + len) and writes it to
     * [dst, dst + len), with memmove semantics when the ranges overlap. Reads and writes are
     * pipelined, so the cost is both latencies plus the wire time of the larger side. On a fault
     * the result names the first faulting byte (of either side); everything before it has been
     * copied, nothing from it on.
     *
     * <p>Overlap is judged on bus addresses. When {@code dst} lies inside (src, src + len), a
     * front-to-back pass would read bytes it had already overwritten, so the runs are first
     * translated front to back (faults are found in address order) and then moved back to front.
     * No staging buffer is needed, whatever the length.
     */
    public DmaResult copy(long src, long dst, long len) {
        if (badRequest(src, len) || badRequest(dst, len) || MsiMessageLayout.isInterruptAddress(dst)) {
            return finish(Access.WRITE, dst, len, DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, dst, Access.WRITE));
        }
        observe(src, len, false);
        observe(dst, len, true);
        boolean backToFront = dst > src && dst - src < len;
        List<Run[]> deferred = backToFront ? new ArrayList<>() : List.of();
        long done = 0;
        long cost = 0;
        DmaResult fault = null;
        while (done < len) {
            Object s = resolve(src + done, len - done, Access.READ);
            if (s instanceof DmaResult f) {
                fault = requests.timedCopy(src, dst, done, cost + f.costNs(), f);
                break;
            }
            Run rs = (Run) s;
            Object d = resolve(dst + done, rs.length, Access.WRITE);
            if (d instanceof DmaResult f) {
                fault = requests.timedCopy(src, dst, done, cost + rs.costNs + f.costNs(), f);
                break;
            }
            Run rd = (Run) d;
            long n = Math.min(rs.length, rd.length);
            if (backToFront) {
                deferred.add(new Run[] {rs, rd});
            } else {
                move(rs, rd, n);
            }
            cost += rs.costNs + rd.costNs;
            done += n;
        }
        for (int i = deferred.size() - 1; i >= 0; i--) {
            Run rs = deferred.get(i)[0];
            Run rd = deferred.get(i)[1];
            move(rs, rd, Math.min(rs.length, rd.length));
        }
        if (fault != null) {
            return finish(fault.access(), fault.access() == Access.READ ? src : dst, len, fault);
        }
        DmaResult r = requests.timedCopy(src, dst, len, cost, null);
        notify(Access.READ, src, len, true, false);
        return finish(Access.WRITE, dst, len, r);
    }

    /** Moves {@code n} bytes of one translated run pair; RAM to RAM is the generic segment copy, which is memmove-safe. */
    private void move(Run from, Run to, long n) {
        cache.snoopDeviceRead(from.physical, n);
        SegmentCopy.copy(from.segment, from.offset, to.segment, to.offset, n);
        cache.snoopDeviceWrite(to.physical, n);
    }

    /** Writes the 8-byte {@code pattern} (little-endian) repeatedly over [dst, dst + len) (MEMFILL). */
    public DmaResult fill(long dst, long len, long pattern) {
        if (badRequest(dst, len) || MsiMessageLayout.isInterruptAddress(dst)) {
            return finish(Access.WRITE, dst, len, DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, dst, Access.WRITE));
        }
        observe(dst, len, true);
        long done = 0;
        long cost = 0;
        while (done < len) {
            Object o = resolve(dst + done, len - done, Access.WRITE);
            if (o instanceof DmaResult f) {
                return finish(Access.WRITE, dst, len, requests.timed(Access.WRITE, dst, done, cost + f.costNs(), f.reason(), f.detail()));
            }
            Run run = (Run) o;
            fillPattern(run.segment, run.offset, run.length, pattern, done);
            cache.snoopDeviceWrite(run.physical, run.length);
            cost += run.costNs;
            done += run.length;
        }
        return finish(Access.WRITE, dst, len, requests.timed(Access.WRITE, dst, len, cost, null, FaultDetail.NONE));
    }

    private static void fillPattern(MemorySegment seg, long off, long len, long pattern, long phase) {
        long rotated = phase % 8 == 0 ? pattern : Long.rotateRight(pattern, (int) (phase % 8) * 8);
        if ((rotated & 0xFF) * 0x0101010101010101L == rotated) {
            seg.asSlice(off, len).fill((byte) rotated);
            return;
        }
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), off + i, rotated);
        }
        for (; i < len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) (rotated >>> ((i % 8) * 8)));
        }
    }

    /** Result of {@link #compare}: the DMA result, and the offset of the first differing byte or -1. */
    public record CompareResult(DmaResult result, long mismatchOffset) { }

    /**
     * Reads both ranges and compares them (COMPARE). Stops at the first difference. Both streams
     * share the link: the cost is one read latency plus the wire time of both sides' transactions,
     * and both sides count as bytes read, up to the difference or the fault.
     */
    public CompareResult compare(long a, long b, long len) {
        if (badRequest(a, len) || badRequest(b, len)) {
            return new CompareResult(finish(Access.READ, a, len,
                    DmaResult.fault(0, 0, FaultReason.UNSUPPORTED_REQUEST, a, Access.READ)), -1);
        }
        observe(a, len, false);
        observe(b, len, false);
        long done = 0;
        long cost = 0;
        while (done < len) {
            Object x = resolve(a + done, len - done, Access.READ);
            if (x instanceof DmaResult f) {
                return new CompareResult(finish(Access.READ, a, len, requests.timedCompare(a, b, done, cost + f.costNs(), f, a)), -1);
            }
            Run ra = (Run) x;
            Object y = resolve(b + done, ra.length, Access.READ);
            if (y instanceof DmaResult f) {
                return new CompareResult(finish(Access.READ, b, len,
                        requests.timedCompare(a, b, done, cost + ra.costNs + f.costNs(), f, b)), -1);
            }
            Run rb = (Run) y;
            long n = Math.min(ra.length, rb.length);
            cache.snoopDeviceRead(ra.physical, n);
            cache.snoopDeviceRead(rb.physical, n);
            long m = MemorySegment.mismatch(ra.segment, ra.offset, ra.offset + n, rb.segment, rb.offset, rb.offset + n);
            cost += ra.costNs + rb.costNs;
            if (m >= 0) {
                done += m;
                return new CompareResult(finish(Access.READ, a, done, requests.timedCompare(a, b, done, cost, null, a)), done);
            }
            done += n;
        }
        return new CompareResult(finish(Access.READ, a, len, requests.timedCompare(a, b, len, cost, null, a)), -1);
    }

    /**
     * Sends an MSI: a 32-bit posted write of {@code data} to {@code address}. Never translated;
     * remapped (or refused) by the covering unit when it has interrupt remapping enabled.
     */
    public DmaResult signalMsi(long address, int data) {
        if (!MsiMessageLayout.isInterruptAddress(address)) {
            // Not the interrupt range: an ordinary posted write of the data word to memory.
            MemorySegment buf = MemorySegment.ofArray(new byte[Integer.BYTES]);
            buf.set(LE_INT, 0, data);
            return write(address, buf, 0, Integer.BYTES);
        }
        return writeInterrupt(address, data, Integer.BYTES);
    }

    private DmaResult writeInterrupt(long bus, MemorySegment src, long srcOffset, long len) {
        return writeInterrupt(bus, len == Integer.BYTES ? src.get(LE_INT, srcOffset) : 0, len);
    }

    /** A write of {@code len} bytes into the interrupt range; only an aligned 32-bit write is an MSI. */
    private DmaResult writeInterrupt(long bus, int data, long len) {
        if (len != 4 || (bus & 3) != 0 || !busMasterEnabled) {
            faults++;
            DmaResult r = DmaResult.fault(0, 0, busMasterEnabled ? FaultReason.UNSUPPORTED_REQUEST : FaultReason.BUS_MASTER_DISABLED,
                    bus, Access.WRITE);
            masterAbortIf(r.reason().isMasterAbortFor(r.access()));
            notify(Access.WRITE, bus, len, false, true);
            return r;
        }
        long cost = requests.msiWrite();
        AddressTranslator tr = translator;
        long address = bus;
        int message = data;
        boolean deliver = true;
        if (tr != AddressTranslator.IDENTITY && tr.remapsInterrupts(requester)) {
            // Interrupt remapping: the unit that covers the device decodes the request (VT-d §5.1).
            InterruptRequest r = tr.remapInterrupt(requester, bus, data);
            if (r.refused()) {
                faults++;
                notify(Access.WRITE, bus, 4, false, true);
                return DmaResult.fault(0, cost, r.fault(), bus, Access.WRITE, r.detail());
            }
            deliver = r.delivers(); // false when posted: recorded in memory, no message owed now
            address = r.address();
            message = r.data();
        }
        msisSent++;
        if (deliver) {
            interrupts.deliver(requester, address, message);
        }
        notify(Access.WRITE, bus, 4, true, true);
        return requests.ok(4, cost);
    }

    /** Tells the observers, before any data moves, of a memory request the device really issues. */
    private void observe(long bus, long len, boolean write) {
        if (observers.active() && busMasterEnabled) {
            observers.before(requester, bus, len, write);
        }
    }

    private DmaResult finish(Access access, long bus, long len, DmaResult r) {
        if (!r.isOk()) {
            faults++;
            masterAbortIf(r.reason().isMasterAbortFor(r.access()));
        }
        notify(access, bus, r.isOk() ? len : r.bytes(), r.isOk(), false);
        return r;
    }

    /**
     * Runs {@code hook} (on the device's thread) each time a request ends in a master abort; a PCI
     * function sets Received Master Abort in its Status register with it. null removes it.
     */
    public void onMasterAbort(Runnable hook) {
        this.masterAbortHook = hook;
    }

    private void masterAbortIf(boolean abort) {
        Runnable h = masterAbortHook;
        if (abort && h != null) {
            h.run();
        }
    }

    private void notify(Access access, long bus, long len, boolean ok, boolean msi) {
        if (monitors.isEmpty()) {
            return;
        }
        long t = clock.getAsLong();
        for (BusMonitor m : monitors) {
            m.observed(origin, access, bus, len, msi, ok, t);
        }
    }
}
