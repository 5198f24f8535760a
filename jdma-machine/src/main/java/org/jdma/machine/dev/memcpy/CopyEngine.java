package org.jdma.machine.dev.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.machine.jfr.DescriptorCompletionEvent;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.pci.RequesterId;

/**
 * The copy engine device: a descriptor ring in memory, a doorbell, DSA descriptors and completion
 * records, MSI-X completion interrupts. A PCI endpoint ({@link PciEndpoint}) with one 64-bit BAR:
 * register map in {@link CopyEngineRegisters} (registers at 0, MSI-X table at 0x1000, PBA at
 * 0x1800, advertised by its MSI-X capability), formats in {@link CopyDescriptorLayout} and
 * {@link CompletionRecordLayout}. Like any PCI function it reaches memory only while its driver
 * has set Bus Master Enable, and sends MSI-X messages only while MSI-X is enabled. The descriptor
 * work itself is {@link DescriptorExecutor}'s; threaded mode is {@link DeviceThread}'s.
 *
 * <h2>Event-driven mode (the default)</h2>
 * The engine runs on the machine's {@link EventKernel}. A doorbell write wakes it; it then works
 * through the ring one descriptor at a time. For each descriptor, in one event at time T: fetch
 * the 64 bytes from RING_BASE + slot * 64, advance FETCH_INDEX, validate, move the data. In a
 * second event at T + fetch cost + setup latency + data cost + completion latency: write the
 * completion record (bytes 1..31, then the status byte with release semantics), then send the
 * completion MSI-X message, then go on with the next slot. So every observer sees data, then
 * record, then status byte, then interrupt. Each descriptor is traced as a slice on track
 * {@code name()} named after its opcode; ring-level errors are instants on {@code name() + "/ring"}.
 *
 * <p>Each descriptor is validated, run and completed as {@link DescriptorExecutor} describes
 * (validation order, completion records, BATCH). A descriptor fetch that faults sets
 * ERROR.FETCH_FAULT with ERROR_ADDRESS = the first byte that faulted, and halts the engine.
 *
 * <h2>Threaded mode</h2>
 * {@link #startThread()} hands the ring to a real Java thread ({@link DeviceThread}, whose
 * documentation says what changes: no virtual time, no trace, no error interrupt) until
 * {@link #stopThread()} (which a machine reset calls too). Completion interrupts are sent from
 * that thread as in event mode, after the record; the interrupt controller hands them to the
 * machine thread. Translated DMA may fault there: the VT-d unit records the fault at once and
 * hands its interrupt and trace to the machine thread.
 *
 * <p>Block on fault ({@link BlockOnFault}): a ring descriptor with BOF set that faults stops the
 * engine with STATUS.FAULT_WAIT until software answers its page request or the fault-wait timeout
 * runs out.
 *
 * <p>Nothing a driver writes into the registers or the ring makes the engine throw.
 */
public final class CopyEngine extends PciEndpoint {

    /** PCI ids, as the datasheet gives them. */
    public static final int VENDOR_ID = CopyEngineRegisters.VENDOR_ID;
    public static final int DEVICE_ID = CopyEngineRegisters.DEVICE_ID;
    public static final int CLASS_CODE = CopyEngineRegisters.CLASS_CODE;
    /** BAR0: the register map, MSI-X table and PBA. */
    public static final long BAR_SIZE = 0x1_0000;

    /** The kind: a machine configuration plugs a copy engine in with {@code DeviceSpec.pci(name, CopyEngine.KIND, options, slot)}. */
    public static final DeviceKind<CopyEngineConfig> KIND = DeviceKind.pci("memcpy", CopyEngine::new);
    /** Copy engine i of {@link #specs} sits at 00:(FIRST_DEVICE + i).0 on the root bus. */
    public static final int FIRST_DEVICE = 4;

    /** The slot {@link #specs} gives copy engine {@code index}: 00:(4 + index).0. */
    public static RequesterId slot(int index) {
        return RequesterId.of(0, FIRST_DEVICE + index, 0);
    }

    /** Copy engine {@code index} ("memcpy" + index) with default options at {@link #slot}. */
    public static DeviceSpec<CopyEngineConfig> spec(int index) {
        return spec(index, CopyEngineConfig.DEFAULT);
    }

    public static DeviceSpec<CopyEngineConfig> spec(int index, CopyEngineConfig options) {
        return DeviceSpec.pci("memcpy" + index, KIND, options, slot(index));
    }

    /** {@code count} copy engines, memcpy0 at 00:04.0, memcpy1 at 00:05.0, ... */
    public static List<DeviceSpec<?>> specs(int count) {
        return specs(count, CopyEngineConfig.DEFAULT);
    }

    public static List<DeviceSpec<?>> specs(int count, CopyEngineConfig options) {
        return IntStream.range(0, count).<DeviceSpec<?>>mapToObj(i -> spec(i, options)).toList();
    }

    private final CopyEngineConfig config;
    private final DeviceContext.Pci ctx;
    private final EngineRegisters registers;
    private final DescriptorExecutor executor;
    private final String ringTrack;
    private final String fetchLabel;
    private final String completeLabel;

    // Engine state. Written by the thread that drives the machine, or by the device thread while
    // threaded (under `lock` for everything but the doorbell); read through MMIO read hooks.
    private volatile int state = CopyEngineRegisters.STATE_DISABLED;
    /** SUBMIT_INDEX, FETCH_INDEX, COMPLETED, in progress, fetched: padded apart (the CPU and a device thread write them). */
    private final RingCursors cursors = new RingCursors();
    private final AtomicInteger error = new AtomicInteger();
    private volatile long errorAddress;
    /** Event mode: a descriptor was fetched and its completion event is scheduled. */
    private boolean awaitingCompletion;
    private volatile long ringBase;
    private volatile int ringSize;
    private volatile boolean errIntEnabled;
    private volatile int errIntHandle;
    /** Bumped by RESET: events scheduled under an older generation do nothing. */
    private long generation;
    /** Virtual time the engine spent with a descriptor in hand, event mode, ns. */
    private long busyTimeNs;
    /** Event mode: when the descriptor in hand was fetched. */
    private long descriptorStart;
    /** Block on fault: the outstanding page request, if any. */
    private final BlockOnFault blockOnFault;
    /** Ring descriptors a reset dropped between fetch and completion, since the machine was built. */
    private long descriptorsAbandoned;

    // Threaded mode.
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean threaded;
    private volatile DeviceThread worker;
    private long threadBusyWallNs;

    // Scratch, used by one descriptor at a time (event chain or device thread, never both).
    private final MemorySegment descriptor = MemorySegment.ofArray(new byte[CopyDescriptorLayout.SIZE]);
    private final DescriptorExecutor.Work work = new DescriptorExecutor.Work();

    public CopyEngine(CopyEngineConfig config, DeviceContext.Pci ctx) {
        super(ctx, PciIds.of(VENDOR_ID, DEVICE_ID, CLASS_CODE));
        this.config = config;
        this.ctx = ctx;
        this.registers = new EngineRegisters(ctx.name(), config);
        this.executor = new DescriptorExecutor(config, ctx.port(),
                record -> raiseError(CopyEngineRegisters.ERROR_COMPLETION_FAULT, record), this::signalMsix);
        this.ringTrack = ctx.name() + "/ring";
        this.fetchLabel = ctx.name() + " fetch";
        this.completeLabel = ctx.name() + " complete";
        this.blockOnFault = new BlockOnFault(config, ctx, executor, new FaultWaitPort(), ringTrack);

        RegisterFile file = registers.file;
        file.onRead(registers.status, (r, v) -> statusValue());
        file.onRead(registers.error, (r, v) -> error.get());
        file.onRead(registers.fetchIndex, (r, v) -> cursors.fetchIndex() & 0xFFFF_FFFFL);
        file.onRead(registers.submitIndex, (r, v) -> cursors.submitIndex() & 0xFFFF_FFFFL);
        file.onRead(registers.errorAddress, (r, v) -> errorAddress);
        file.onRead(registers.completed, (r, v) -> cursors.completed());
        file.onRead(registers.pageReqAddress, (r, v) -> blockOnFault.address());
        file.onRead(registers.pageReq, (r, v) -> blockOnFault.requestBits());
        file.onWrite(registers.pageResponse, (r, v, written) -> blockOnFault.responseWritten(written));
        file.onWrite(registers.control, (r, v, written) -> controlWritten(v));
        file.onWrite(registers.error, (r, v, written) -> error.getAndUpdate(e -> e & ~(int) written));
        file.onWrite(registers.submitIndex, (r, v, written) -> submitWritten(v));
        file.onWrite(registers.errIntHandle, (r, v, written) -> errIntHandle = (int) v);

        declareBar(Bar.memory64(0, BAR_SIZE, false), registers);
        declareMsix(config.msixEntries(), 0, CopyEngineRegisters.MSIX_TABLE, 0, CopyEngineRegisters.MSIX_PBA);
    }

    /** The register table (name, offset, width, access, mask, reset), for reports and datasheet checks. */
    public List<Register> registerTable() { return registers.file.registers(); }

    /** Returns the engine to its power-on state, as a write of CONTROL.RESET does. */
    @Override protected void resetFunction() { resetEngine(); }

    /** Stops the device thread, if any, before the machine frees its RAM. */
    @Override public void close() { stopThread(); }

    public CopyEngineConfig config() { return config; }

    // ---------------------------------------------------------------- statistics

    /** Descriptors completed (any status) since the machine was built; RESET does not clear it. */
    public long descriptorsCompleted() { return executor.descriptorsCompleted(); }

    /**
     * Ring descriptors fetched since the machine was built. Each one completes
     * ({@link #descriptorsCompleted()}) or is abandoned by a reset ({@link #descriptorsAbandoned()}).
     */
    public long descriptorsFetched() { return cursors.descriptorsFetched(); }

    /**
     * Descriptors a reset (CONTROL.RESET or the machine's) dropped between fetch and completion, since
     * the machine was built: they write no completion record and send no interrupt.
     */
    public long descriptorsAbandoned() { return descriptorsAbandoned; }

    /** Members of BATCH descriptors completed (any status) since the machine was built; not in {@link #descriptorsCompleted()}. */
    public long batchMembersCompleted() { return executor.batchMembersCompleted(); }

    /** Links of CHAIN descriptors run (any status) since the machine was built; not in {@link #descriptorsCompleted()}. */
    public long chainLinksCompleted() { return executor.chainLinksCompleted(); }

    /** Page requests posted for descriptors blocked on a fault (BOF) since the machine was built. */
    public long pageRequests() { return blockOnFault.posted(); }

    /** How many descriptors (batch members and chain links included) completed with each error status, since the machine was built. */
    public EnumMap<CompletionStatus, Long> errorsByStatus() { return executor.errorsByStatus(); }

    /** Bytes written by MEMMOVE and MEMFILL (including the part done before a fault). */
    public long bytesMoved() { return executor.bytesMoved(); }

    /** Virtual time the engine spent with a descriptor in hand (fetch to completion), event mode, ns. */
    public long busyTimeNs() { return busyTimeNs; }

    /** Wall-clock time the device thread spent processing descriptors, threaded mode, ns. */
    public long threadBusyWallNs() { return threadBusyWallNs; }

    public boolean threaded() { return threaded; }

    // ---------------------------------------------------------------- MMIO

    private long statusValue() {
        boolean idle = !cursors.inProgress() && cursors.fetchIndex() == cursors.submitIndex();
        return state | (idle ? CopyEngineRegisters.STATUS_IDLE : 0)
                | (blockOnFault.pending() ? CopyEngineRegisters.STATUS_FAULT_WAIT : 0);
    }

    private void controlWritten(long value) {
        if ((value & CopyEngineRegisters.CONTROL_RESET) != 0) {
            resetEngine();
            return;
        }
        lock.lock();
        try {
            errIntEnabled = (value & CopyEngineRegisters.CONTROL_ERR_INT_EN) != 0;
            boolean enable = (value & CopyEngineRegisters.CONTROL_ENABLE) != 0;
            if (enable && state == CopyEngineRegisters.STATE_DISABLED) {
                enable();
            } else if (!enable) {
                state = CopyEngineRegisters.STATE_DISABLED;
            }
        } finally {
            lock.unlock();
        }
        wake();
    }

    private void enable() {
        long base = registers.file.get(registers.ringBase);
        long size = registers.file.get(registers.ringSize);
        if (registers.ringBaseMisaligned() || size < 2 || size > (1L << config.maxRingShift()) || Long.bitCount(size) != 1) {
            registers.file.set(registers.control, registers.file.get(registers.control) & ~CopyEngineRegisters.CONTROL_ENABLE);
            if (!threaded && ctx.kernel().trace().enabled()) {
                ctx.kernel().trace().instant(ringTrack, "RING_CONFIG", ctx.kernel().now(), TraceRecorder.args(
                        "ring_base", Long.toHexString(base), "ring_size", size, "base_misaligned", registers.ringBaseMisaligned()));
            }
            raiseError(CopyEngineRegisters.ERROR_RING_CONFIG);
            return;
        }
        ringBase = base;
        ringSize = (int) size;
        cursors.resetIndexes();
        registers.file.set(registers.submitIndex, 0);
        state = CopyEngineRegisters.STATE_RUNNING;
    }

    private void submitWritten(long value) {
        long limit = state != CopyEngineRegisters.STATE_DISABLED ? ringSize : registers.file.get(registers.ringSize);
        if (value >= limit) {
            // Keep the register's stored copy equal to the doorbell, so a later partial write merges correctly.
            registers.file.set(registers.submitIndex, cursors.submitIndex());
            if (!threaded && ctx.kernel().trace().enabled()) {
                ctx.kernel().trace().instant(ringTrack, "SUBMIT_RANGE", ctx.kernel().now(),
                        TraceRecorder.args("submit_index", value, "ring_size", limit));
            }
            raiseError(CopyEngineRegisters.ERROR_SUBMIT_RANGE);
            return;
        }
        cursors.submitIndex((int) value);
        if (threaded) {
            DeviceThread w = worker;
            if (w != null) {
                w.doorbell();
            }
        } else {
            wake();
        }
    }

    private void resetEngine() {
        lock.lock();
        try {
            generation++;
            if (awaitingCompletion) {
                descriptorsAbandoned++;
            }
            state = CopyEngineRegisters.STATE_DISABLED;
            cursors.resetIndexes();
            error.set(0);
            errorAddress = 0;
            cursors.resetCompleted();
            cursors.inProgress(false);
            awaitingCompletion = false;
            ringBase = 0;
            ringSize = 0;
            errIntEnabled = false;
            errIntHandle = 0;
            registers.reset();
            blockOnFault.reset();
            msix().reset();
        } finally {
            lock.unlock();
        }
    }

    /** Sets error bits; the error interrupt fires when one of them was clear (event mode only: see {@link DeviceThread}). */
    private void raiseError(int bits) {
        int before = error.getAndUpdate(e -> e | bits);
        if ((before & bits) != bits && errIntEnabled && !threaded) {
            signalMsix(errIntHandle);
        }
    }

    private void raiseError(int bits, long address) {
        errorAddress = address;
        if (!threaded && ctx.kernel().trace().enabled()) {
            ctx.kernel().trace().instant(ringTrack, bits == CopyEngineRegisters.ERROR_FETCH_FAULT ? "FETCH_FAULT" : "COMPLETION_FAULT",
                    ctx.kernel().now(), TraceRecorder.args("address", Long.toHexString(address)));
        }
        raiseError(bits);
    }

    // ---------------------------------------------------------------- one descriptor (both modes)

    boolean hasWork() {
        return state == CopyEngineRegisters.STATE_RUNNING && cursors.fetchIndex() != cursors.submitIndex();
    }

    void inProgress(boolean on) {
        cursors.inProgress(on);
    }

    /**
     * Reads slot {@code slot} into the scratch descriptor and advances FETCH_INDEX. On a fault, sets
     * FETCH_FAULT, halts the engine, and returns null.
     */
    private DmaResult fetch(int slot) {
        long addr = ringBase + (long) slot * CopyDescriptorLayout.SIZE;
        DmaResult f = port().read(addr, descriptor, 0, CopyDescriptorLayout.SIZE);
        if (!f.isOk()) {
            // Cause first, then the state a polling CPU waits for: seeing HALTED implies seeing why.
            raiseError(CopyEngineRegisters.ERROR_FETCH_FAULT, f.faultAddress());
            state = CopyEngineRegisters.STATE_HALTED;
            return null;
        }
        cursors.fetchIndexRelease((slot + 1) & (ringSize - 1));
        cursors.countFetched();
        return f;
    }

    /**
     * Threaded mode: fetches the next slot and runs its descriptor, waiting (on this thread) for
     * the answer to every page request it makes; false when the fetch faulted (the engine halted).
     */
    boolean fetchAndExecute() {
        int slot = cursors.fetchIndex();
        if (fetch(slot) == null) {
            return false;
        }
        execute(slot);
        if (work.blocked) {
            blockOnFault.resolveOnThread(work, worker);
        }
        return true;
    }

    private void execute(int slot) {
        work.slot = slot;
        executor.execute(descriptor, 0, work, DescriptorExecutor.Place.RING);
    }

    /**
     * Completes the current descriptor: the records of a batch's members (each followed by its
     * interrupt when asked), COMPLETED, then its own record (bytes 1..31, then the status byte with
     * release) when one was requested at an aligned address, then its completion interrupt (RCI).
     * On the device thread too: the MSI-X table takes signals from it, and the interrupt
     * controller posts the message to the machine thread.
     */
    void finish() {
        executor.completeMembers(work);
        cursors.incrementCompletedRelease();
        executor.completeOwn(work);
        if (DescriptorCompletionEvent.PROBE.isEnabled()) {
            DescriptorCompletionEvent.emit(ctx.name(), work.slot, DescriptorExecutor.opName(work.opcodeCode), work.bytesCompleted,
                    DescriptorExecutor.statusName(work.statusByte), !work.isError());
        }
        if (work.wantInterrupt) {
            signalMsix(work.intHandle);
        }
    }

    // ---------------------------------------------------------------- event-driven processing

    /** Starts an event chain if the engine is running, has work, and no chain is live. */
    private void wake() {
        if (threaded || cursors.inProgress() || !hasWork()) {
            return;
        }
        cursors.inProgress(true);
        ctx.kernel().schedule(0, fetchLabel, scheduled(fetchStep, generation, 0));
    }

    /**
     * A fetch or completion event, reused: the engine has at most one of each queued, except after
     * a reset, when an older one may still be queued (it does nothing when it runs); then
     * {@link #scheduled} makes a new one rather than change the queued one's generation.
     */
    private final class Step implements Runnable {
        private final boolean completion;
        private long gen;
        private long start;
        private boolean queued;

        Step(boolean completion) {
            this.completion = completion;
        }

        @Override
        public void run() {
            queued = false;
            if (completion) {
                completeEvent(gen, start);
            } else {
                fetchEvent(gen);
            }
        }
    }

    private Step fetchStep = new Step(false);
    private Step completeStep = new Step(true);

    /** {@code step}, or a new one when it is still queued, set to run under {@code gen}. */
    private Step scheduled(Step step, long gen, long start) {
        Step s = step;
        if (s.queued) {
            s = new Step(step.completion);
            if (s.completion) {
                completeStep = s;
            } else {
                fetchStep = s;
            }
        }
        s.gen = gen;
        s.start = start;
        s.queued = true;
        return s;
    }

    private void fetchEvent(long gen) {
        if (gen != generation) {
            return;
        }
        if (!hasWork()) {
            cursors.inProgress(false);
            return;
        }
        EventKernel k = ctx.kernel();
        long start = k.now();
        int slot = cursors.fetchIndex();
        DmaResult f = fetch(slot);
        if (f == null) {
            cursors.inProgress(false);
            return;
        }
        execute(slot);
        awaitingCompletion = true;
        descriptorStart = start;
        if (work.blocked) {
            blockOnFault.block(work, gen);
            return;
        }
        long delay = f.costNs() + config.setupLatencyNs() + work.costNs + config.completionLatencyNs();
        k.schedule(delay, completeLabel, scheduled(completeStep, gen, start));
    }

    /** What {@link BlockOnFault} may do to the engine. */
    private final class FaultWaitPort implements BlockOnFault.Engine {
        @Override public long generation() { return generation; }
        @Override public boolean threaded() { return threaded; }
        @Override public void raiseError(int bits) { CopyEngine.this.raiseError(bits); }

        @Override public void wakeThread() {
            DeviceThread w = worker;
            if (w != null) {
                w.doorbell();
            }
        }

        @Override public void completeAfter(long gen, long delayNs) {
            ctx.kernel().schedule(delayNs, completeLabel, scheduled(completeStep, gen, descriptorStart));
        }
    }

    private void completeEvent(long gen, long start) {
        if (gen != generation) {
            return;
        }
        awaitingCompletion = false;
        finish();
        EventKernel k = ctx.kernel();
        busyTimeNs += k.now() - start;
        TraceRecorder trace = k.trace();
        if (trace.enabled()) {
            trace.slice(ctx.name(), DescriptorExecutor.opName(work.opcodeCode), start, k.now() - start, TraceRecorder.args(
                    "slot", work.slot, "bytes", work.bytesCompleted, "status", DescriptorExecutor.statusName(work.statusByte)));
        }
        if (hasWork()) {
            fetchEvent(gen);
        } else {
            cursors.inProgress(false);
        }
    }

    // ---------------------------------------------------------------- threaded mode

    /**
     * Moves the engine onto its own thread (see the class documentation). The engine may be in any
     * state; a fetch that was only scheduled is taken over by the thread.
     *
     * @throws IllegalStateException if already threaded, or a descriptor is between fetch and
     *                               completion on the event kernel (run the clock until
     *                               STATUS.IDLE first)
     */
    public void startThread() {
        if (threaded) {
            throw new IllegalStateException(name() + " already runs on its own thread");
        }
        if (awaitingCompletion) {
            throw new IllegalStateException(name() + ": descriptor in slot " + work.slot
                    + " awaits its completion event; run the machine until STATUS.IDLE before startThread()");
        }
        lock.lock();
        try {
            generation++; // a scheduled fetch event becomes a no-op; the thread does the fetching now
            cursors.inProgress(false);
            threaded = true;
            DeviceThread t = new DeviceThread(this, lock, ctx.kernel());
            worker = t;
            t.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops and joins the device thread; the engine returns to the event kernel and picks up any
     * descriptors still submitted. Does nothing when not threaded.
     *
     * @throws IllegalStateException if the device thread died of an exception (a bug in the model)
     */
    @Override
    public void stopThread() {
        DeviceThread t = worker;
        if (!threaded || t == null) {
            return;
        }
        Throwable failure = t.stop();
        threadBusyWallNs += t.busyWallNs();
        worker = null;
        threaded = false;
        if (failure != null) {
            throw new IllegalStateException(name() + " device thread failed: " + failure, failure);
        }
        wake();
    }
}
