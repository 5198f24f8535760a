package org.jdma.machine.dev.nvme;

import static org.jdma.spec.nvme.NvmeRegisters.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.RegisterFile;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.SubmissionEntryLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * An NVMe controller as a PCI function (class 01 08 02; see the package description and
 * {@link org.jdma.spec.nvme.NvmeRegisters}): BAR0 holds the registers and doorbells, BAR4 the
 * MSI-X table (one entry per completion queue the controller can have).
 *
 * <pre>
 * CC.EN 0 -> 1     checked (admin queue bases page aligned, sizes 2..4096, MPS within CAP, entry
 *                  sizes 6 and 4): a bad configuration sets CSTS.CFS; else, enableNs later, the
 *                  admin queues exist (vector 0) and CSTS.RDY reads 1
 * CC.EN 1 -> 0     every queue and command is forgotten at once; enableNs later CSTS.RDY reads 0
 * CC.SHN != 0      CSTS.SHST = 01; shutdownNs later every namespace is persisted, the queues are
 *                  gone and SHST = 10 (the host then clears EN to use the controller again)
 * </pre>
 *
 * A doorbell for a queue that does not exist, off the stride, or with an index beyond the queue is
 * ignored and reported as an asynchronous error event (§4.1, as QEMU's controller does).
 *
 * <p>Thread use: the thread that drives the machine (MMIO and events alike).
 */
public final class NvmeController extends PciEndpoint {

    /** The kind: {@code builder.device("nvme0", NvmeController.KIND, NvmeConfig.DEFAULT, slot)} plugs one in. */
    public static final DeviceKind<NvmeConfig> KIND = DeviceKind.pci("nvme", NvmeController::new);

    /** A controller called {@code name} in PCI slot {@code slot} with {@code options}. */
    public static DeviceSpec<NvmeConfig> spec(String name, RequesterId slot, NvmeConfig options) {
        return DeviceSpec.pci(name, KIND, options, slot);
    }

    private static final long ALL32 = 0xFFFF_FFFFL;
    private static final long PAGE_BASE_MASK = ~0xFFFL;

    private final NvmeConfig config;
    private final EventKernel kernel;
    private final String label;
    private final RegisterFile registers;
    private final Register cap, vs, intms, intmc, cc, csts, aqa, asq, acq;
    private final List<Namespace> namespaces = new ArrayList<>();
    private final Media media;
    private final CommandEngine engine;
    private final AdminCommands admin;
    private final HealthLog health;
    private final IoCommands io;
    private final int msixEntries;
    private long pageSize = 4096;
    private long enableGeneration;
    private int interruptMask;
    private long invalidDoorbells;

    public NvmeController(NvmeConfig config, DeviceContext.Pci ctx) {
        super(ctx, PciIds.of(VENDOR_ID, DEVICE_ID, CLASS_CODE));
        this.config = Objects.requireNonNull(config, "config");
        this.kernel = ctx.kernel();
        this.label = ctx.name();
        this.msixEntries = config.ioQueuePairs() + 1;
        RegisterFile f = new RegisterFile(ctx.name());
        this.registers = f;
        cap = f.add(new Register("CAP", CAP, 8, RegisterAccess.RO, -1L,
                capFor(config)));
        vs = f.add(new Register("VS", VS, 4, RegisterAccess.RO, ALL32, VS_1_4));
        intms = f.add(Register.of("INTMS", INTMS, 4, RegisterAccess.RW, ALL32));
        intmc = f.add(Register.of("INTMC", INTMC, 4, RegisterAccess.RW, ALL32));
        cc = f.add(Register.of("CC", CC, 4, RegisterAccess.RW, CC_MASK));
        csts = f.add(Register.of("CSTS", CSTS, 4, RegisterAccess.RO, CSTS_RDY | CSTS_CFS | CSTS_SHST_MASK));
        aqa = f.add(Register.of("AQA", AQA, 4, RegisterAccess.RW, AQA_ASQS_MASK | AQA_ACQS_MASK));
        asq = f.add(Register.of("ASQ", ASQ, 8, RegisterAccess.RW, PAGE_BASE_MASK));
        acq = f.add(Register.of("ACQ", ACQ, 8, RegisterAccess.RW, PAGE_BASE_MASK));
        f.onWrite(cc, (r, now, written) -> configurationWritten((int) now));
        f.onWrite(intms, (r, now, written) -> interruptMask |= (int) written);
        f.onWrite(intmc, (r, now, written) -> interruptMask &= ~(int) written);
        f.onRead(intms, (r, stored) -> interruptMask);
        f.onRead(intmc, (r, stored) -> interruptMask);
        for (int i = 0; i < config.namespaces().size(); i++) {
            namespaces.add(new Namespace(i + 1, config.namespaces().get(i)));
        }
        this.media = new Media(config.media(), kernel.random().split());
        this.engine = new CommandEngine(msixEntries, port(), kernel, this::signalInterrupt, this::fatal, config.fetchNs(), label);
        DataPointers adminPointers = new DataPointers(port());
        this.health = new HealthLog(config, kernel::now, this::asyncEvent);
        this.admin = new AdminCommands(engine, config, port(), adminPointers, () -> pageSize, msixEntries, health);
        this.io = new IoCommands(engine, config, namespaces, media, port(), new DataPointers(port()), kernel,
                () -> pageSize, label);
        engine.commandSets(admin, io);
        engine.observer = new CommandEngine.Observer() {
            @Override public void fetched(Command c) {
                if (!c.admin()) {
                    health.ioStarted();
                }
            }

            @Override public void completed(Command c, int status) {
                health.completed(c, status, blockSize(c.nsid()));
            }
        };
        declareBar(Bar.memory64(REGISTER_BAR, REGISTER_BAR_SIZE, false), new Bar0());
        declareBar(Bar.memory64(MSIX_BAR, MSIX_BAR_SIZE, false), new MmioHandler() {
            @Override public long read(long offset, int size) { return 0; }
            @Override public void write(long offset, int size, long value) { }
        });
        declareMsix(msixEntries, MSIX_BAR, MSIX_TABLE, MSIX_BAR, MSIX_PBA);
        registers.reset();
    }

    /** CAP for {@code config}: MQES, contiguous queues required, TO, DSTRD, NVM, pages 4 KiB .. 64 KiB. */
    static long capFor(NvmeConfig config) {
        return cap(config.maxQueueEntries() - 1, true, config.readyTimeout(), config.doorbellStride(), 0, 4);
    }

    // ---------------------------------------------------------------- enable, disable, shutdown

    private void configurationWritten(int now) {
        int status = (int) registers.get(csts);
        boolean enabled = (now & CC_EN) != 0;
        boolean ready = (status & CSTS_RDY) != 0;
        long g = ++enableGeneration;
        if (enabled && !ready) {
            if (!valid(now)) {
                registers.set(csts, status | CSTS_CFS);
                return;
            }
            kernel.schedule(config.enableNs(), label + " enable", () -> {
                if (g == enableGeneration) {
                    start(now);
                }
            });
        } else if (!enabled && (ready || (status & CSTS_CFS) != 0)) {
            if ((status & CSTS_SHST_MASK) != CSTS_SHST_COMPLETE) {
                health.unsafeShutdown();
            }
            stop();
            kernel.schedule(config.enableNs(), label + " disable", () -> {
                if (g == enableGeneration) {
                    registers.set(csts, 0);
                }
            });
        } else if (enabled && (now & CC_SHN_MASK) != 0 && (status & CSTS_SHST_MASK) == CSTS_SHST_NORMAL) {
            registers.set(csts, status | CSTS_SHST_OCCURRING);
            kernel.schedule(config.shutdownNs(), label + " shutdown", () -> {
                if (g == enableGeneration) {
                    stop();
                    namespaces.forEach(Namespace::persist);
                    registers.set(csts, registers.get(csts) & ~CSTS_SHST_MASK | CSTS_SHST_COMPLETE);
                }
            });
        }
    }

    /** QEMU's nvme_start_ctrl checks. */
    private boolean valid(int ccValue) {
        long capValue = registers.get(cap);
        int mps = ccMps(ccValue);
        int aqaValue = (int) registers.get(aqa);
        int sqEntries = (aqaValue & AQA_ASQS_MASK) + 1;
        int cqEntries = ((aqaValue & AQA_ACQS_MASK) >>> AQA_ACQS_SHIFT) + 1;
        long page = pageSize(mps);
        long asqBase = registers.get(asq);
        long acqBase = registers.get(acq);
        return mps >= capMpsMin(capValue) && mps <= capMpsMax(capValue)
                && ccIosqes(ccValue) == SubmissionEntryLayout.SIZE_LOG2 && ccIocqes(ccValue) == CompletionEntryLayout.SIZE_LOG2
                && sqEntries >= 2 && cqEntries >= 2
                && asqBase != 0 && acqBase != 0 && (asqBase & (page - 1)) == 0 && (acqBase & (page - 1)) == 0;
    }

    private void start(int ccValue) {
        pageSize = pageSize(ccMps(ccValue));
        int aqaValue = (int) registers.get(aqa);
        CompletionQueue acqQueue = new CompletionQueue(0, registers.get(acq),
                ((aqaValue & AQA_ACQS_MASK) >>> AQA_ACQS_SHIFT) + 1, 0, true);
        acqQueue.users = 1;
        engine.cqs[0] = acqQueue;
        engine.sqs[0] = new SubmissionQueue(0, registers.get(asq), (aqaValue & AQA_ASQS_MASK) + 1, acqQueue);
        registers.set(csts, CSTS_RDY);
    }

    /** Forgets every queue and command (the configuration registers stay). */
    private void stop() {
        engine.clear();
        admin.reset();
    }

    /** A fatal controller status: CSTS.CFS; the controller stops until the host resets it. */
    private void fatal() {
        registers.set(csts, registers.get(csts) | CSTS_CFS);
        stop();
    }

    /** A conventional reset (FLR): registers to their reset values, queues and commands gone; namespace data kept. */
    @Override
    protected void resetFunction() {
        enableGeneration++;
        stop();
        media.reset();
        registers.reset();
        interruptMask = 0;
        pageSize = 4096;
    }

    @Override
    public void close() {
        namespaces.forEach(Namespace::close);
    }

    // ---------------------------------------------------------------- doorbells

    private void doorbell(long offset, int size, long value) {
        if ((registers.get(csts) & CSTS_RDY) == 0 || size != 4) {
            invalidDoorbells++;
            return;
        }
        int stride = doorbellStride(config.doorbellStride());
        long rel = offset - DOORBELLS;
        int index = (int) (rel / stride);
        int qid = index / 2;
        if (rel % stride != 0 || qid >= engine.sqs.length) {
            invalidDoorbell(NvmeCommands.AER_ERROR_INVALID_DOORBELL);
            return;
        }
        int v = (int) value & DOORBELL_MASK;
        if (index % 2 == 0) {
            SubmissionQueue sq = engine.sqs[qid];
            if (sq == null) {
                invalidDoorbell(NvmeCommands.AER_ERROR_INVALID_DOORBELL);
            } else if (v >= sq.size) {
                invalidDoorbell(NvmeCommands.AER_ERROR_INVALID_DOORBELL_VALUE);
            } else {
                engine.tail(sq, v);
            }
        } else {
            CompletionQueue cq = engine.cqs[qid];
            if (cq == null) {
                invalidDoorbell(NvmeCommands.AER_ERROR_INVALID_DOORBELL);
            } else if (v >= cq.size) {
                invalidDoorbell(NvmeCommands.AER_ERROR_INVALID_DOORBELL_VALUE);
            } else {
                engine.head(cq, v);
            }
        }
    }

    private void invalidDoorbell(int info) {
        invalidDoorbells++;
        admin.event(NvmeCommands.asyncEvent(NvmeCommands.AER_TYPE_ERROR, info, NvmeCommands.LOG_ERROR_INFORMATION));
    }

    /** BAR0: registers below the doorbells, doorbells from 0x1000 (reads of them return 0). */
    private final class Bar0 implements MmioHandler {
        @Override
        public long read(long offset, int size) {
            return offset < DOORBELLS ? registers.read(offset, size) : 0;
        }

        @Override
        public void write(long offset, int size, long value) {
            if (offset < DOORBELLS) {
                registers.write(offset, size, value);
            } else {
                doorbell(offset, size, value);
            }
        }
    }

    // ---------------------------------------------------------------- observation

    public NvmeConfig config() { return config; }

    private void asyncEvent(int dw0) {
        admin.event(dw0);
    }

    /** The LBA size of namespace {@code nsid}, 0 when there is none. */
    private int blockSize(int nsid) {
        return nsid > 0 && nsid <= config.namespaces().size() ? config.namespaces().get(nsid - 1).lbaSize() : 0;
    }

    /** Test hook: the media wore to {@code percent} available spare (a SMART warning below the threshold, 10). */
    public void lowerAvailableSpare(int percent) { health.availableSpare(percent); }

    /** Test hook: the composite temperature sensor reads {@code kelvin}. */
    public void setTemperature(int kelvin) { health.temperature(kelvin); }

    /** Error Information log entries recorded since power on. */
    public long errorsLogged() { return health.errorCount(); }

    /** The register table (name, offset, width, access, mask, reset). */
    public List<Register> registerTable() { return registers.registers(); }

    /** Submission entries fetched, completion entries written, interrupts raised since the machine was built. */
    public long commandsFetched() { return engine.fetched(); }

    public long completionsPosted() { return engine.completed(); }

    /** Completions waiting for a slot in a full completion queue. */
    public long completionsWaiting() { return engine.waiting(); }

    public long interruptsRaised() { return engine.interrupts(); }

    /** Commands failed because a DMA of their data was refused. */
    public long dataTransferErrors() { return io.dataTransferErrors(); }

    /** Doorbell writes ignored (no such queue, off the stride, index beyond the queue, controller not ready). */
    public long invalidDoorbells() { return invalidDoorbells; }

    /**
     * Zeroes every namespace's data: what a reset keeps (as a disk would) made new again, for a
     * machine reused across fuzz inputs whose outcomes must not depend on earlier inputs' writes.
     */
    public void eraseNamespaces() {
        namespaces.forEach(Namespace::erase);
    }

    /** Register accesses no register answered. */
    public long unclaimedAccesses() { return registers.unclaimedAccesses(); }
}
