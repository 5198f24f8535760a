package org.jdma.machine.dev.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.util.List;
import java.util.Objects;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.mmio.MmioHandler;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.net.FrameArrays;
import org.jdma.machine.net.FrameReceiver;
import org.jdma.machine.net.LinkEnd;
import org.jdma.machine.pci.Bar;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciIds;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * One port of an Intel 82599 10 GbE controller as a PCI function (see the package description
 * and {@link org.jdma.spec.ixgbe.IxgbeRegisters}): BAR0 holds the registers, BAR3 the MSI-X table
 * (64 entries) and PBA. A {@link LinkEnd} attached with {@link #attach} is its wire.
 *
 * <pre>
 * T0                        CTRL.RST (or LNK_RST) written: every register to its reset value, the
 *                           station address in RAL[0]/RAH[0]; CTRL.RST reads 1; writes are ignored
 * T0 + resetSettle          RST clears, RDRXCTL.DMAIDONE reads 1
 * ... + eepromRead          EEC.ARD reads 1
 * ... + linkUp              the link is trained: with a link attached and up, LINKS.LINK_UP and
 *                           the speed read back, and EICR.LSC is raised
 * </pre>
 *
 * A write of AUTOC.AN_RESTART trains the link again (down until {@code linkUp} later).
 *
 * <p>Thread use: the thread that drives the machine (MMIO, frames and events alike).
 */
public final class IxgbePort extends PciEndpoint {

    /** The kind: {@code builder.device("eth0", IxgbePort.KIND, IxgbeConfig.DEFAULT, slot)} plugs one in. */
    public static final DeviceKind<IxgbeConfig> KIND = DeviceKind.pci("ixgbe", IxgbePort::new);

    /** An 82599 port called {@code name} in PCI slot {@code slot}, with the default options. */
    public static DeviceSpec<IxgbeConfig> spec(String name, RequesterId slot) {
        return spec(name, slot, IxgbeConfig.DEFAULT);
    }

    /** An 82599 port called {@code name} in PCI slot {@code slot} with {@code options}. */
    public static DeviceSpec<IxgbeConfig> spec(String name, RequesterId slot, IxgbeConfig options) {
        return DeviceSpec.pci(name, KIND, options, slot);
    }

    private final IxgbeConfig config;
    private final EventKernel kernel;
    private final Csr csr;
    private final InterruptUnit interrupts;
    private final ReceiveUnit receive;
    private final TransmitUnit transmit;
    private final FaultCounters.Live faults = new FaultCounters.Live();
    private final String resetLabel;
    private final String linkLabel;

    private LinkEnd link;
    private boolean inReset;
    /** Bumped by every reset: timers of an earlier one do nothing. */
    private long generation;
    /** Bumped by every link training (reset or AN restart). */
    private long linkGeneration;
    private boolean eepromDone;
    private boolean linkTrained;

    public IxgbePort(IxgbeConfig config, DeviceContext.Pci ctx) {
        super(ctx, PciIds.of(VENDOR_ID, DEVICE_ID, CLASS_CODE));
        this.config = Objects.requireNonNull(config, "config");
        this.kernel = ctx.kernel();
        this.resetLabel = ctx.name() + " reset";
        this.linkLabel = ctx.name() + " link";
        this.csr = new Csr(ctx.name(), config.queues());
        this.interrupts = new InterruptUnit(csr, kernel, this::signalInterrupt, ctx.name());
        this.receive = new ReceiveUnit(csr, port(), interrupts, kernel, faults, ctx.name());
        this.transmit = new TransmitUnit(csr, port(), interrupts, kernel, faults,
                () -> !inReset && linkUp() ? link : null, ctx.name());
        hooks();
        declareBar(Bar.memory64(CSR_BAR, CSR_BAR_SIZE, false), new ResetGate());
        declareBar(Bar.memory64(MSIX_BAR, MSIX_BAR_SIZE, false), new MmioHandler() {
            @Override public long read(long offset, int size) { return 0; }
            @Override public void write(long offset, int size, long value) { }
        });
        declareMsix(MSIX_ENTRIES, MSIX_BAR, MSIX_TABLE, MSIX_BAR, MSIX_PBA);
        powerOn();
    }

    private void hooks() {
        csr.onWrite(csr.ctrl, (r, now, written) -> {
            if ((written & (CTRL_RST | CTRL_LNK_RST)) != 0) {
                softwareReset((int) written & (CTRL_RST | CTRL_LNK_RST));
            }
        });
        csr.onRead(csr.status, (r, stored) -> (long) config.lanId() << STATUS_LAN_ID_SHIFT
                | (csr.bit(csr.ctrl, CTRL_GIO_DIS) ? 0 : STATUS_GIO));
        csr.onRead(csr.eec, (r, stored) -> EEC_PRES | (eepromDone ? EEC_ARD : 0));
        csr.onRead(csr.links, (r, stored) -> linkUp() ? LINKS_UP | speedBits(link.bitsPerSecond()) : 0);
        csr.onWrite(csr.rdrxctl, (r, now, written) ->
                csr.set(csr.rdrxctl, now & ~RDRXCTL_DMAIDONE | (inReset ? 0 : RDRXCTL_DMAIDONE)));
        csr.onWrite(csr.autoc, (r, now, written) -> {
            csr.set(csr.autoc, now & ~AUTOC_AN_RESTART);
            if ((written & AUTOC_AN_RESTART) != 0) {
                trainLink();
            }
        });
        csr.onWrite(csr.rxctrl, (r, now, written) -> receive.drain());
        csr.onWrite(csr.dmatxctl, (r, now, written) -> transmit.kickAll());
        for (int q = 0; q < config.queues(); q++) {
            int queue = q;
            csr.onWrite(csr.rdt[q], (r, now, written) -> receive.drain());
            csr.onWrite(csr.rxdctl[q], (r, now, written) -> receive.drain());
            csr.onWrite(csr.tdt[q], (r, now, written) -> transmit.kick(queue));
            csr.onWrite(csr.txdctl[q], (r, now, written) -> transmit.kick(queue));
        }
    }

    private static long speedBits(long bitsPerSecond) {
        if (bitsPerSecond >= 10_000_000_000L) {
            return LINKS_SPEED_10G;
        }
        return bitsPerSecond >= 1_000_000_000L ? LINKS_SPEED_1G : LINKS_SPEED_100M;
    }

    // ---------------------------------------------------------------- the wire

    /**
     * Connects this port to {@code end}: frames arriving there are received, frames this port
     * sends go into it. A trained link comes up at once (EICR.LSC).
     *
     * @throws IllegalStateException when a link is attached already
     */
    public void attach(LinkEnd end) {
        Objects.requireNonNull(end, "end");
        if (link != null) {
            throw new IllegalStateException(name() + " already has a link");
        }
        link = end;
        end.onReceive(new FrameReceiver() {
            @Override
            public void receive(byte[] frame) {
                receive.receive(frame, !inReset);
            }

            @Override
            public void receive(byte[] frame, FrameArrays arrays) {
                receive.receive(frame, !inReset, arrays);
            }
        });
        end.onLinkChange(this::linkChanged);
        if (linkTrained && end.linkUp()) {
            interrupts.otherCause(EICR_LSC);
            transmit.kickAll();
        }
    }

    /** The cable went down or came up: EICR.LSC once the port's own link training is done; sending resumes when up. */
    private void linkChanged() {
        if (!linkTrained || inReset) {
            return;
        }
        interrupts.otherCause(EICR_LSC);
        if (linkUp()) {
            transmit.kickAll();
        }
    }

    /** The attached link, or null. */
    public LinkEnd link() {
        return link;
    }

    /** LINKS.LINK_UP: trained since the last reset, with a link attached and up. */
    public boolean linkUp() {
        return linkTrained && link != null && link.linkUp();
    }

    // ---------------------------------------------------------------- reset

    private void loadDefaults() {
        csr.file.reset();
        csr.loadStationAddress(config.macAddress());
        interrupts.reset();
        receive.reset();
        transmit.reset();
        generation++;
        linkGeneration++;
        eepromDone = false;
        linkTrained = false;
    }

    private void powerOn() {
        loadDefaults();
        resetDone();
    }

    /** CTRL.RST or LNK_RST: everything to reset values now; RST reads 1 until the settle time has passed. */
    private void softwareReset(int resetBits) {
        loadDefaults();
        inReset = true;
        csr.set(csr.ctrl, resetBits);
        long g = generation;
        kernel.schedule(config.resetSettleNs(), resetLabel, () -> {
            if (g == generation) {
                inReset = false;
                csr.set(csr.ctrl, 0);
                resetDone();
            }
        });
    }

    private void resetDone() {
        csr.set(csr.rdrxctl, csr.get(csr.rdrxctl) | RDRXCTL_DMAIDONE);
        long g = generation;
        kernel.schedule(config.eepromReadNs(), resetLabel, () -> {
            if (g == generation) {
                eepromDone = true;
            }
        });
        trainLink();
    }

    private void trainLink() {
        boolean wasUp = linkUp();
        linkTrained = false;
        long g = ++linkGeneration;
        if (wasUp) {
            interrupts.otherCause(EICR_LSC);
        }
        kernel.schedule(config.linkUpNs(), linkLabel, () -> {
            if (g == linkGeneration) {
                linkTrained = true;
                if (linkUp()) {
                    interrupts.otherCause(EICR_LSC);
                    transmit.kickAll();
                }
            }
        });
    }

    /** A conventional reset of the function: as CTRL.RST, without the settle time. */
    @Override
    protected void resetFunction() {
        inReset = false;
        powerOn();
    }

    /** Ignores register writes while the port is in reset (a driver must wait for CTRL.RST to clear). */
    private final class ResetGate implements MmioHandler {
        @Override
        public long read(long offset, int size) {
            return csr.file.read(offset, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            if (inReset) {
                faults.writesDuringReset++;
                return;
            }
            csr.file.write(offset, size, value);
        }
    }

    // ---------------------------------------------------------------- observation

    public IxgbeConfig config() { return config; }

    /** The register table (name, offset, width, access, mask, reset), for reports and datasheet checks. */
    public List<Register> registerTable() { return csr.file.registers(); }

    /** Whether CTRL.RST is still settling. */
    public boolean inReset() { return inReset; }

    /** Counters of what went wrong where the datasheet has none (see {@link FaultCounters}). */
    public FaultCounters faults() { return faults.snapshot(); }

    /** Interrupt messages signalled for vector {@code v} (after EITR), whether or not MSI-X let them out. */
    public long interruptsSignalled(int vector) {
        return interrupts.sent(Objects.checkIndex(vector, MSIX_ENTRIES));
    }

    /** Frames written into receive buffers, and frames handed to the link, since the machine was built. */
    public long framesReceived() { return receive.framesPlaced(); }

    public long framesSent() { return transmit.framesSent(); }

    /** Frames waiting in the receive packet buffer for descriptors. */
    public int framesWaiting() { return receive.waiting(); }

    /** Register accesses no register answered (wrong offset or size). */
    public long unclaimedAccesses() { return csr.file.unclaimedAccesses(); }
}
