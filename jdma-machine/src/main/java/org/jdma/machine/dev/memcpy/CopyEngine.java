package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_CRAV;
import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_RCI;
import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_RCR;
import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.RW1C;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.irq.MsixTable;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.platform.pci.PciFunction;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.memcpy.Opcode;
import org.jdma.spec.memcpy.CopyDescriptorLayout;

/**
 * The copy engine device: a descriptor ring in memory, a doorbell, DSA descriptors and completion
 * records, MSI-X completion interrupts. Register map in {@link CopyEngineRegisters}, formats in
 * {@link CopyDescriptorLayout} and {@link CompletionRecordLayout}.
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
 * <p>Validation order (first failure wins, no data moves on failure): non-zero PASID/Priv word,
 * reserved bytes 0x26-0x27 or operation-specific bytes 0x28-0x3F → NOZERO_RESERVE; unknown opcode
 * → BAD_OPCODE; flags outside {@link CopyDescriptorLayout#SUPPORTED_FLAGS} → INVALID_FLAGS (the
 * record's invalid-flags field names them); completion record requested (RCR and CRAV) at an
 * address not 32-byte aligned → CRA_ALIGN; transfer size 0 or above the maximum → XFER_ERANGE;
 * data address not aligned to 2^alignmentShift → ADDR_ALIGN; RCI with an interrupt handle at or
 * beyond the MSI-X table size → INT_HANDLE_INVAL. A DMA fault during the operation completes with
 * PAGE_FAULT_NOBOF (bit 7 set when the fault was on a write), the fault address and the bytes done
 * before it.
 *
 * <p>The record is written only when the descriptor sets RCR and CRAV, and never to a misaligned
 * address: that (whatever the status) and a record write that faults set ERROR.COMPLETION_FAULT
 * with ERROR_ADDRESS = the record's address, and the engine goes on. A descriptor fetch that
 * faults sets ERROR.FETCH_FAULT with ERROR_ADDRESS = the first byte that faulted, and halts the
 * engine.
 *
 * <h2>Threaded mode</h2>
 * {@link #startThread()} hands the ring to a real Java thread that polls SUBMIT_INDEX and processes
 * descriptors synchronously, for throughput measurements and memory-ordering stress with a real
 * CPU thread on the other side. While threaded: the event kernel is not used at all, no virtual
 * time passes for the device, nothing is traced, and <b>no MSI is sent</b> (completion or error;
 * the interrupt controller belongs to the event thread): the driver must poll completion records.
 * Records are still published status byte last with release semantics; the doorbell is a volatile
 * field, so a plain MMIO write from the CPU thread is seen. Register changes (CONTROL, RESET) are
 * applied between two descriptors. {@link #stopThread()} joins the thread, after which every
 * counter of the engine and of its {@link DmaPort} may be read. (One gap: unmasking an MSI-X entry
 * whose pending bit was set before the thread started still sends that message, from the CPU
 * thread, through the same port.)
 *
 * <h2>Batches</h2>
 * A BATCH descriptor ({@link CopyDescriptorLayout#DESC_LIST_ADDR}) names a list of descriptors in
 * memory. The engine validates the batch (count, list alignment, and the checks every descriptor
 * gets), reads the whole list through its DMA port in one transfer (so behind an IOMMU the list is
 * translated like data), then executes the members in list order, each with the validation above;
 * a member that is itself a BATCH completes with BAD_OPCODE. A list read that faults completes the
 * batch with PAGE_FAULT_NOBOF and the fault address, and no member runs. At completion the members'
 * records are written (and their interrupts sent, when they ask) in order, then the batch's own
 * record: SUCCESS when every member succeeded, else BATCH_FAIL; bytes completed = members
 * completed. Then the batch's interrupt. The batch occupies one ring slot and counts once in
 * COMPLETED. Not modelled: FENCE inside a batch after a failed member (DSA abandons the rest of the
 * batch; here every member runs), and the batch's virtual time is the sum of its members'.
 *
 * <p>Nothing a driver writes into the registers or the ring makes the engine throw.
 */
public final class CopyEngine implements Device {

    /** PCI ids, as the datasheet gives them. */
    public static final int VENDOR_ID = CopyEngineRegisters.VENDOR_ID;
    public static final int DEVICE_ID = CopyEngineRegisters.DEVICE_ID;
    public static final int CLASS_CODE = CopyEngineRegisters.CLASS_CODE;

    /**
     * FETCH_INDEX and COMPLETED are written by one thread at a time (the event thread, or the
     * device thread under {@code lock}) and only read elsewhere (MMIO read hooks, the idle check),
     * so a release store is enough; a volatile store would put a full fence after every
     * descriptor, which stalls the device thread until its completion-record stores are visible.
     */
    private static final VarHandle FETCH_INDEX;
    private static final VarHandle COMPLETED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FETCH_INDEX = l.findVarHandle(CopyEngine.class, "fetchIndex", int.class);
            COMPLETED = l.findVarHandle(CopyEngine.class, "completed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Polls of an empty ring the device thread spins through before it parks. */
    private static final int SPINS_BEFORE_PARK = 20_000;
    /** Longest a parked device thread sleeps before it looks at the doorbell again, ns. */
    private static final long PARK_NS = 200_000;

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final CompletionStatus[] STATUSES = CompletionStatus.values();

    private final CopyEngineConfig config;
    private final DeviceContext ctx;
    private final DmaPort port;
    private final RegisterFile registers;
    private final MsixTable msix;
    private final MmioHandler bar = new Bar();
    private final String ringTrack;
    private final String fetchLabel;
    private final String completeLabel;

    private final Register control;
    private final Register ringBaseReg;
    private final Register ringSizeReg;
    private final Register errorReg;
    private final Register fetchIndexReg;
    private final Register submitIndexReg;
    private final Register errorAddressReg;
    private final Register completedReg;
    private final Register errIntHandleReg;

    // Engine state. Written by the thread that drives the machine, or by the device thread while
    // threaded (under `lock` for everything but the doorbell); read through MMIO read hooks.
    private volatile int state = CopyEngineRegisters.STATE_DISABLED;
    private volatile int fetchIndex;
    private volatile int submitIndex;
    private final AtomicInteger error = new AtomicInteger();
    private volatile long errorAddress;
    private volatile long completed;
    /** A descriptor is being processed, or (event mode) a fetch event is scheduled. */
    private volatile boolean inProgress;
    /** Event mode: a descriptor was fetched and its completion event is scheduled. */
    private boolean awaitingCompletion;
    private volatile long ringBase;
    private volatile int ringSize;
    /** A RING_BASE write set one of the reserved bits [5:0]; the next enable fails. CPU thread only. */
    private boolean ringBaseMisaligned;
    private volatile boolean errIntEnabled;
    private volatile int errIntHandle;
    /** Bumped by RESET: events scheduled under an older generation do nothing. */
    private long generation;

    // Statistics since the machine was built (RESET does not clear them).
    private final long[] statusCounts = new long[STATUSES.length];
    private long descriptorsCompleted;
    private long batchMembersCompleted;
    private long bytesMoved;
    private long busyTimeNs;
    private long threadBusyWallNs;

    // Threaded mode.
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean threaded;
    private volatile boolean threadRunning;
    private volatile boolean workerParked;
    private volatile Thread worker;
    private volatile Throwable workerFailure;

    // Scratch, used by one descriptor at a time (event chain or device thread, never both).
    private final MemorySegment descriptor = MemorySegment.ofArray(new byte[CopyDescriptorLayout.SIZE]);
    private final MemorySegment record = MemorySegment.ofArray(new byte[CompletionRecordLayout.SIZE]);
    private final Work work = new Work();
    /** BATCH: the descriptor list as read, and one Work per member. */
    private final MemorySegment batchList =
            MemorySegment.ofArray(new byte[CopyDescriptorLayout.MAX_BATCH_SIZE * CopyDescriptorLayout.SIZE]);
    private final Work[] members = newMembers();

    private static Work[] newMembers() {
        Work[] m = new Work[CopyDescriptorLayout.MAX_BATCH_SIZE];
        for (int i = 0; i < m.length; i++) {
            m[i] = new Work();
        }
        return m;
    }

    public CopyEngine(CopyEngineConfig config, DeviceContext ctx) {
        this.config = config;
        this.ctx = ctx;
        this.port = ctx.port();
        this.registers = new RegisterFile(ctx.name());
        this.msix = new MsixTable(config.msixEntries(), port);
        this.ringTrack = ctx.name() + "/ring";
        this.fetchLabel = ctx.name() + " fetch";
        this.completeLabel = ctx.name() + " complete";

        registers.add(new Register("VERSION", CopyEngineRegisters.VERSION, 4, RO,
                CopyEngineRegisters.VERSION_MASK, CopyEngineRegisters.VERSION_VALUE));
        registers.add(new Register("CAP", CopyEngineRegisters.CAP, 4, RO,
                CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK | CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK
                        | CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK | CopyEngineRegisters.CAP_MSIX_SIZE_MASK,
                capValue(config)));
        control = registers.add(Register.of("CONTROL", CopyEngineRegisters.CONTROL, 4, RW,
                CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_RESET | CopyEngineRegisters.CONTROL_ERR_INT_EN));
        Register status = registers.add(new Register("STATUS", CopyEngineRegisters.STATUS, 4, RO,
                CopyEngineRegisters.STATUS_STATE_MASK | CopyEngineRegisters.STATUS_IDLE, CopyEngineRegisters.STATUS_IDLE));
        ringBaseReg = registers.add(Register.of("RING_BASE", CopyEngineRegisters.RING_BASE, 8, RW,
                ~(long) (CopyEngineRegisters.RING_BASE_ALIGN - 1)));
        ringSizeReg = registers.add(Register.of("RING_SIZE", CopyEngineRegisters.RING_SIZE, 4, RW,
                0xFFFF_FFFFL));
        errorReg = registers.add(Register.of("ERROR", CopyEngineRegisters.ERROR, 4, RW1C,
                CopyEngineRegisters.ERROR_RING_CONFIG | CopyEngineRegisters.ERROR_FETCH_FAULT
                        | CopyEngineRegisters.ERROR_COMPLETION_FAULT | CopyEngineRegisters.ERROR_SUBMIT_RANGE));
        fetchIndexReg = registers.add(Register.of("FETCH_INDEX", CopyEngineRegisters.FETCH_INDEX, 4, RO,
                0xFFFF_FFFFL));
        submitIndexReg = registers.add(Register.of("SUBMIT_INDEX", CopyEngineRegisters.SUBMIT_INDEX, 4, RW,
                0xFFFF_FFFFL));
        errorAddressReg = registers.add(Register.of("ERROR_ADDRESS", CopyEngineRegisters.ERROR_ADDRESS, 8, RO,
                -1L));
        completedReg = registers.add(Register.of("COMPLETED", CopyEngineRegisters.COMPLETED, 8, RO, -1L));
        errIntHandleReg = registers.add(Register.of("ERR_INT_HANDLE", CopyEngineRegisters.ERR_INT_HANDLE, 4,
                RW, CopyEngineRegisters.ERR_INT_HANDLE_MASK));

        registers.onRead(status, (r, v) -> statusValue());
        registers.onRead(errorReg, (r, v) -> error.get());
        registers.onRead(fetchIndexReg, (r, v) -> fetchIndex & 0xFFFF_FFFFL);
        registers.onRead(submitIndexReg, (r, v) -> submitIndex & 0xFFFF_FFFFL);
        registers.onRead(errorAddressReg, (r, v) -> errorAddress);
        registers.onRead(completedReg, (r, v) -> completed);
        registers.onWrite(control, (r, v, written) -> controlWritten(v));
        registers.onWrite(errorReg, (r, v, written) -> error.getAndUpdate(e -> e & ~(int) written));
        registers.onWrite(submitIndexReg, (r, v, written) -> submitWritten(v));
        registers.onWrite(errIntHandleReg, (r, v, written) -> errIntHandle = (int) v);
    }

    private static long capValue(CopyEngineConfig c) {
        return c.maxTransferShift()
                | (long) c.alignmentShift() << CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT
                | (long) c.maxRingShift() << CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT
                | (long) (c.msixEntries() - 1) << CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT;
    }

    @Override public String name() { return ctx.name(); }

    @Override
    public PciFunction pciFunction() {
        return new PciFunction(ctx.name(), ctx.requester(), VENDOR_ID, DEVICE_ID, CLASS_CODE, ctx.barBase(), ctx.barSize());
    }

    /** The whole BAR: the register file, the MSI-X table at 0x1000 and the PBA at 0x1800. */
    @Override public MmioHandler registers() { return bar; }

    /** The register table (name, offset, width, access, mask, reset), for reports and datasheet checks. */
    public List<Register> registerTable() { return registers.registers(); }

    /** The device's MSI-X table (for reports; drivers program it through the BAR). */
    public MsixTable msix() { return msix; }

    /** Returns the device to its power-on state, as a write of CONTROL.RESET does. */
    @Override public void reset() { resetEngine(); }

    public CopyEngineConfig config() { return config; }

    // ---------------------------------------------------------------- statistics

    /** Descriptors completed (any status) since the machine was built; RESET does not clear it. */
    public long descriptorsCompleted() { return descriptorsCompleted; }

    /** Members of BATCH descriptors completed (any status) since the machine was built; not in {@link #descriptorsCompleted()}. */
    public long batchMembersCompleted() { return batchMembersCompleted; }

    /** How many descriptors (batch members included) completed with each error status, since the machine was built. */
    public EnumMap<CompletionStatus, Long> errorsByStatus() {
        EnumMap<CompletionStatus, Long> m = new EnumMap<>(CompletionStatus.class);
        for (CompletionStatus s : STATUSES) {
            if (s.isError() && statusCounts[s.ordinal()] != 0) {
                m.put(s, statusCounts[s.ordinal()]);
            }
        }
        return m;
    }

    /** Bytes written by MEMMOVE and MEMFILL (including the part done before a fault). */
    public long bytesMoved() { return bytesMoved; }

    /** Virtual time the engine spent with a descriptor in hand (fetch to completion), event mode, ns. */
    public long busyTimeNs() { return busyTimeNs; }

    /** Wall-clock time the device thread spent processing descriptors, threaded mode, ns. */
    public long threadBusyWallNs() { return threadBusyWallNs; }

    public boolean threaded() { return threaded; }

    // ---------------------------------------------------------------- MMIO

    /** Routes BAR accesses: MSI-X table and PBA to the table, everything else to the register file. */
    private final class Bar implements MmioHandler {
        @Override
        public long read(long offset, int size) {
            if (in(offset, CopyEngineRegisters.MSIX_TABLE, msix.tableSize())) {
                return msix.readTable(offset - CopyEngineRegisters.MSIX_TABLE, size);
            }
            if (in(offset, CopyEngineRegisters.MSIX_PBA, msix.pbaSize())) {
                return msix.readPba(offset - CopyEngineRegisters.MSIX_PBA, size);
            }
            return registers.read(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (in(offset, CopyEngineRegisters.MSIX_TABLE, msix.tableSize())) {
                msix.writeTable(offset - CopyEngineRegisters.MSIX_TABLE, size, value);
                return;
            }
            if (in(offset, CopyEngineRegisters.MSIX_PBA, msix.pbaSize())) {
                msix.writePba(offset - CopyEngineRegisters.MSIX_PBA, size, value);
                return;
            }
            if (offset == CopyEngineRegisters.RING_BASE && (size == 1 || size == 2 || size == 4 || size == 8)) {
                // The register drops bits [5:0]; remember that software asked for them so enable can refuse.
                ringBaseMisaligned = (value & (CopyEngineRegisters.RING_BASE_ALIGN - 1)) != 0;
            }
            registers.write(offset, size, value);
        }

        private static boolean in(long offset, long base, long size) {
            return offset >= base && offset < base + size;
        }
    }

    private long statusValue() {
        boolean idle = !inProgress && fetchIndex == submitIndex;
        return state | (idle ? CopyEngineRegisters.STATUS_IDLE : 0);
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
        long base = registers.get(ringBaseReg);
        long size = registers.get(ringSizeReg);
        if (ringBaseMisaligned || size < 2 || size > (1L << config.maxRingShift()) || Long.bitCount(size) != 1) {
            registers.set(control, registers.get(control) & ~CopyEngineRegisters.CONTROL_ENABLE);
            if (!threaded && ctx.kernel().trace().enabled()) {
                ctx.kernel().trace().instant(ringTrack, "RING_CONFIG", ctx.kernel().now(), TraceRecorder.args(
                        "ring_base", Long.toHexString(base), "ring_size", size, "base_misaligned", ringBaseMisaligned));
            }
            raiseError(CopyEngineRegisters.ERROR_RING_CONFIG);
            return;
        }
        ringBase = base;
        ringSize = (int) size;
        fetchIndex = 0;
        submitIndex = 0;
        registers.set(submitIndexReg, 0);
        state = CopyEngineRegisters.STATE_RUNNING;
    }

    private void submitWritten(long value) {
        long limit = state != CopyEngineRegisters.STATE_DISABLED ? ringSize : registers.get(ringSizeReg);
        if (value >= limit) {
            // Keep the register's stored copy equal to the doorbell, so a later partial write merges correctly.
            registers.set(submitIndexReg, submitIndex);
            if (!threaded && ctx.kernel().trace().enabled()) {
                ctx.kernel().trace().instant(ringTrack, "SUBMIT_RANGE", ctx.kernel().now(),
                        TraceRecorder.args("submit_index", value, "ring_size", limit));
            }
            raiseError(CopyEngineRegisters.ERROR_SUBMIT_RANGE);
            return;
        }
        submitIndex = (int) value;
        if (threaded) {
            Thread w = worker;
            if (workerParked && w != null) {
                LockSupport.unpark(w);
            }
        } else {
            wake();
        }
    }

    private void resetEngine() {
        lock.lock();
        try {
            generation++;
            state = CopyEngineRegisters.STATE_DISABLED;
            fetchIndex = 0;
            submitIndex = 0;
            error.set(0);
            errorAddress = 0;
            completed = 0;
            inProgress = false;
            awaitingCompletion = false;
            ringBase = 0;
            ringSize = 0;
            ringBaseMisaligned = false;
            errIntEnabled = false;
            errIntHandle = 0;
            registers.reset();
            msix.reset();
        } finally {
            lock.unlock();
        }
    }

    /** Sets error bits; the error interrupt fires when one of them was clear (event mode only). */
    private void raiseError(int bits) {
        int before = error.getAndUpdate(e -> e | bits);
        if ((before & bits) != bits && errIntEnabled && !threaded) {
            msix.signal(errIntHandle);
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

    // ---------------------------------------------------------------- event-driven processing

    private boolean hasWork() {
        return state == CopyEngineRegisters.STATE_RUNNING && fetchIndex != submitIndex;
    }

    /** Starts an event chain if the engine is running, has work, and no chain is live. */
    private void wake() {
        if (threaded || inProgress || !hasWork()) {
            return;
        }
        inProgress = true;
        long gen = generation;
        ctx.kernel().schedule(0, fetchLabel, () -> fetchEvent(gen));
    }

    private void fetchEvent(long gen) {
        if (gen != generation) {
            return;
        }
        if (!hasWork()) {
            inProgress = false;
            return;
        }
        EventKernel k = ctx.kernel();
        long start = k.now();
        int slot = fetchIndex;
        DmaResult f = fetch(slot);
        if (f == null) {
            inProgress = false;
            return;
        }
        execute(slot);
        awaitingCompletion = true;
        long delay = f.costNs() + config.setupLatencyNs() + work.costNs + config.completionLatencyNs();
        k.schedule(delay, completeLabel, () -> completeEvent(gen, start));
    }

    private void completeEvent(long gen, long start) {
        if (gen != generation) {
            return;
        }
        awaitingCompletion = false;
        finish();
        if (work.wantInterrupt) {
            msix.signal(work.intHandle);
        }
        EventKernel k = ctx.kernel();
        busyTimeNs += k.now() - start;
        TraceRecorder trace = k.trace();
        if (trace.enabled()) {
            trace.slice(ctx.name(), opName(work.opcodeCode), start, k.now() - start, TraceRecorder.args(
                    "slot", work.slot, "bytes", work.bytesCompleted, "status", statusName(work.statusByte)));
        }
        if (hasWork()) {
            fetchEvent(gen);
        } else {
            inProgress = false;
        }
    }

    private static String opName(int code) {
        Opcode op = Opcode.fromCode(code);
        return op != null ? op.name() : String.format("opcode 0x%02x", code);
    }

    private static String statusName(int statusByte) {
        CompletionStatus s = CompletionStatus.fromStatusByte(statusByte);
        String name = s != null ? s.name() : String.format("0x%02x", statusByte);
        return (statusByte & CompletionStatus.WRITE_FAULT_BIT) != 0 ? name + "|WRITE" : name;
    }

    // ---------------------------------------------------------------- the work itself (both modes)

    /** What one descriptor asked for and how it ended; reused, one descriptor at a time. */
    private static final class Work {
        int slot;
        int opcodeCode;
        long completionAddr;
        int intHandle;
        boolean wantRecord;
        boolean wantInterrupt;
        int statusByte;
        int result;
        long bytesCompleted;
        long faultAddr;
        int invalidFlags;
        long costNs;
        /** BATCH: members executed (their Work is in {@code members}); 0 for any other descriptor. */
        int batchCount;
    }

    /**
     * Reads slot {@code slot} into the scratch descriptor and advances FETCH_INDEX. On a fault, sets
     * FETCH_FAULT, halts the engine, and returns null.
     */
    private DmaResult fetch(int slot) {
        long addr = ringBase + (long) slot * CopyDescriptorLayout.SIZE;
        DmaResult f = port.read(addr, descriptor, 0, CopyDescriptorLayout.SIZE);
        if (!f.isOk()) {
            // Cause first, then the state a polling CPU waits for: seeing HALTED implies seeing why.
            raiseError(CopyEngineRegisters.ERROR_FETCH_FAULT, f.faultAddress());
            state = CopyEngineRegisters.STATE_HALTED;
            return null;
        }
        FETCH_INDEX.setRelease(this, (slot + 1) & (ringSize - 1));
        return f;
    }

    /** Decodes and validates the scratch descriptor, and moves its data when it is valid. */
    private void execute(int slot) {
        work.slot = slot;
        execute(descriptor, 0, work, false);
    }

    /**
     * Decodes and validates the descriptor at {@code base} of {@code d} into {@code w}, and runs it
     * when valid. {@code inBatch}: it is a member of a batch, where BATCH is not a valid opcode.
     */
    private void execute(MemorySegment d, long base, Work w, boolean inBatch) {
        int pasidPriv = d.get(LE_INT, base + CopyDescriptorLayout.PASID_PRIV);
        int flagsOpcode = d.get(LE_INT, base + CopyDescriptorLayout.FLAGS_OPCODE);
        int flags = flagsOpcode & CopyDescriptorLayout.FLAGS_MASK;
        long src = d.get(LE_LONG, base + CopyDescriptorLayout.SRC_ADDR);
        long dst = d.get(LE_LONG, base + CopyDescriptorLayout.DST_ADDR);
        long size = d.get(LE_INT, base + CopyDescriptorLayout.XFER_SIZE) & 0xFFFF_FFFFL;
        w.opcodeCode = flagsOpcode >>> CopyDescriptorLayout.OPCODE_SHIFT;
        w.completionAddr = d.get(LE_LONG, base + CopyDescriptorLayout.COMPLETION_ADDR);
        w.intHandle = d.get(LE_SHORT, base + CopyDescriptorLayout.INT_HANDLE) & 0xFFFF;
        w.wantRecord = (flags & (FLAG_RCR | FLAG_CRAV)) == (FLAG_RCR | FLAG_CRAV);
        w.wantInterrupt = (flags & FLAG_RCI) != 0 && w.intHandle < config.msixEntries();
        w.result = 0;
        w.bytesCompleted = 0;
        w.faultAddr = 0;
        w.invalidFlags = 0;
        w.costNs = 0;
        w.batchCount = 0;

        Opcode op = Opcode.fromCode(w.opcodeCode);
        if (inBatch && op == Opcode.BATCH) {
            op = null; // DSA: a batch may not contain a batch; it completes as an unknown opcode
        }
        boolean moves = op == Opcode.MEMMOVE || op == Opcode.MEMFILL || op == Opcode.COMPARE;
        long alignMask = (1L << config.alignmentShift()) - 1;
        long alignedBits = switch (op) {
            case MEMMOVE, COMPARE -> src | dst;
            case MEMFILL -> dst;
            case NOOP, BATCH -> 0;
            case null -> 0;
        };
        CompletionStatus bad = null;
        if (pasidPriv != 0 || d.get(LE_SHORT, base + CopyDescriptorLayout.RSVD1) != 0 || !opSpecificZero(d, base)) {
            bad = CompletionStatus.NOZERO_RESERVE;
        } else if (op == null) {
            bad = CompletionStatus.BAD_OPCODE;
        } else if ((flags & ~CopyDescriptorLayout.SUPPORTED_FLAGS) != 0) {
            bad = CompletionStatus.INVALID_FLAGS;
            w.invalidFlags = flags & ~CopyDescriptorLayout.SUPPORTED_FLAGS;
        } else if (w.wantRecord && recordMisaligned(w.completionAddr)) {
            bad = CompletionStatus.CRA_ALIGN;
        } else if (moves && (size == 0 || size > config.maxTransferSize())) {
            bad = CompletionStatus.XFER_ERANGE;
        } else if (op == Opcode.BATCH && (size < CopyDescriptorLayout.MIN_BATCH_SIZE || size > CopyDescriptorLayout.MAX_BATCH_SIZE)) {
            bad = CompletionStatus.DESC_CNT_ERANGE;
        } else if (op == Opcode.BATCH && (src & (CopyDescriptorLayout.DESC_LIST_ALIGN - 1)) != 0) {
            bad = CompletionStatus.DESCLIST_ALIGN;
        } else if ((alignedBits & alignMask) != 0) {
            bad = CompletionStatus.ADDR_ALIGN;
        } else if ((flags & FLAG_RCI) != 0 && w.intHandle >= config.msixEntries()) {
            bad = CompletionStatus.INT_HANDLE_INVAL;
        }
        if (bad != null) {
            w.statusByte = bad.code();
            return;
        }
        switch (op) {
            case NOOP -> w.statusByte = CompletionStatus.SUCCESS.code();
            case BATCH -> executeBatch(w, src, (int) size);
            case MEMMOVE -> {
                DmaResult r = port.copy(src, dst, size);
                bytesMoved += r.bytes();
                dataDone(w, r, size);
            }
            case MEMFILL -> {
                DmaResult r = port.fill(dst, size, src);
                bytesMoved += r.bytes();
                dataDone(w, r, size);
            }
            case COMPARE -> {
                DmaPort.CompareResult c = port.compare(src, dst, size);
                dataDone(w, c.result(), size);
                if (c.result().isOk() && c.mismatchOffset() >= 0) {
                    w.result = 1;
                    w.bytesCompleted = c.mismatchOffset();
                }
            }
        }
    }

    private static boolean recordMisaligned(long address) {
        return (address & (CopyDescriptorLayout.COMPLETION_ALIGN - 1)) != 0;
    }

    private static boolean opSpecificZero(MemorySegment d, long base) {
        for (int off = CopyDescriptorLayout.OP_SPECIFIC; off < CopyDescriptorLayout.SIZE; off += Long.BYTES) {
            if (d.get(LE_LONG, base + off) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a validated BATCH: reads its {@code count} descriptors at {@code list} in one DMA read,
     * then executes them in order into {@code members}. Their records are written by {@link #finish}.
     */
    private void executeBatch(Work w, long list, int count) {
        DmaResult r = port.read(list, batchList, 0, (long) count * CopyDescriptorLayout.SIZE);
        w.costNs = r.costNs();
        if (!r.isOk()) {
            // Nothing of an unreadable list runs: a partly read list could hold a torn descriptor.
            w.statusByte = CompletionStatus.PAGE_FAULT_NOBOF.code();
            w.faultAddr = r.faultAddress();
            return;
        }
        boolean failed = false;
        for (int i = 0; i < count; i++) {
            Work m = members[i];
            m.slot = w.slot;
            execute(batchList, (long) i * CopyDescriptorLayout.SIZE, m, true);
            w.costNs += config.setupLatencyNs() + m.costNs;
            failed |= CompletionStatus.fromStatusByte(m.statusByte).isError();
        }
        w.batchCount = count;
        w.bytesCompleted = count;
        w.statusByte = (failed ? CompletionStatus.BATCH_FAIL : CompletionStatus.SUCCESS).code();
    }

    private static void dataDone(Work w, DmaResult r, long size) {
        w.costNs = r.costNs();
        if (r.isOk()) {
            w.statusByte = CompletionStatus.SUCCESS.code();
            w.bytesCompleted = size;
        } else {
            w.statusByte = CompletionStatus.PAGE_FAULT_NOBOF.code()
                    | (r.access() == Access.WRITE ? CompletionStatus.WRITE_FAULT_BIT : 0);
            w.bytesCompleted = r.bytes();
            w.faultAddr = r.faultAddress();
        }
    }

    /**
     * Completes the current descriptor: counts it, writes the records of a batch's members (and
     * sends their interrupts, event mode), then its own record (bytes 1..31, then the status byte
     * with release) when one was requested at an aligned address.
     */
    private void finish() {
        Work w = work;
        for (int i = 0; i < w.batchCount; i++) {
            Work m = members[i];
            batchMembersCompleted++;
            statusCounts[CompletionStatus.fromStatusByte(m.statusByte).ordinal()]++;
            writeRecord(m);
            if (m.wantInterrupt && !threaded) {
                msix.signal(m.intHandle);
            }
        }
        COMPLETED.setRelease(this, completed + 1);
        descriptorsCompleted++;
        CompletionStatus s = CompletionStatus.fromStatusByte(w.statusByte);
        statusCounts[s.ordinal()]++;
        writeRecord(w);
    }

    /** Writes {@code w}'s completion record, status byte last, when it asked for one. */
    private void writeRecord(Work w) {
        if (!w.wantRecord) {
            return;
        }
        if (recordMisaligned(w.completionAddr)) {
            raiseError(CopyEngineRegisters.ERROR_COMPLETION_FAULT, w.completionAddr);
            return;
        }
        MemorySegment rec = record;
        rec.fill((byte) 0);
        rec.set(ValueLayout.JAVA_BYTE, CompletionRecordLayout.RESULT, (byte) w.result);
        rec.set(LE_INT, CompletionRecordLayout.BYTES_COMPLETED, (int) w.bytesCompleted);
        rec.set(LE_LONG, CompletionRecordLayout.FAULT_ADDR, w.faultAddr);
        rec.set(LE_INT, CompletionRecordLayout.INVALID_FLAGS, w.invalidFlags & CopyDescriptorLayout.FLAGS_MASK);
        // ERROR_ADDRESS names the record (not the byte of it that faulted) so the driver can match it to a descriptor.
        DmaResult body = port.write(w.completionAddr + 1, rec, 1, CompletionRecordLayout.SIZE - 1);
        if (!body.isOk()) {
            // Publishing the status byte over a torn record would lie to the driver: leave it unwritten.
            raiseError(CopyEngineRegisters.ERROR_COMPLETION_FAULT, w.completionAddr);
            return;
        }
        DmaResult st = port.writeByteRelease(w.completionAddr + CompletionRecordLayout.STATUS, (byte) w.statusByte);
        if (!st.isOk()) {
            raiseError(CopyEngineRegisters.ERROR_COMPLETION_FAULT, w.completionAddr);
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
            inProgress = false;
            workerFailure = null;
            threadRunning = true;
            threaded = true;
            Thread t = new Thread(this::workerLoop, name() + "-engine");
            t.setDaemon(true);
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
    public void stopThread() {
        Thread t = worker;
        if (!threaded || t == null) {
            return;
        }
        threadRunning = false;
        LockSupport.unpark(t);
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        worker = null;
        threaded = false;
        Throwable failure = workerFailure;
        if (failure != null) {
            throw new IllegalStateException(name() + " device thread failed: " + failure, failure);
        }
        wake();
    }

    private void workerLoop() {
        try {
            int idle = 0;
            while (threadRunning) {
                if (hasWork()) {
                    long t0 = System.nanoTime();
                    while (threadRunning && processBurstThreaded() > 0) {
                        // keep draining
                    }
                    threadBusyWallNs += System.nanoTime() - t0;
                    idle = 0;
                } else if (idle < SPINS_BEFORE_PARK) {
                    idle++;
                    Thread.onSpinWait();
                } else {
                    // Announce the park before the last look, so a doorbell write either is seen here or unparks us.
                    workerParked = true;
                    if (threadRunning && !hasWork()) {
                        LockSupport.parkNanos(this, PARK_NS);
                    }
                    workerParked = false;
                }
            }
        } catch (Throwable t) {
            workerFailure = t;
        }
    }

    /**
     * Processes descriptors while there is work, holding {@code lock} across them, and lets go of
     * it between two descriptors as soon as a CPU thread waits for it (a CONTROL or RESET write),
     * so register changes still land between descriptors. One lock round trip per burst instead of
     * one per descriptor. Returns how many descriptors it processed.
     */
    private int processBurstThreaded() {
        lock.lock();
        int n = 0;
        try {
            while (threadRunning && hasWork()) {
                if (n == 0) {
                    inProgress = true;
                }
                int slot = fetchIndex;
                if (fetch(slot) == null) {
                    break;
                }
                execute(slot);
                finish();
                n++;
                if (lock.hasQueuedThreads()) {
                    break;
                }
            }
            return n;
        } finally {
            inProgress = false;
            lock.unlock();
        }
    }
}
