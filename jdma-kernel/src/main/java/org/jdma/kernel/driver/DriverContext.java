package org.jdma.kernel.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dmaengine.DmaChannelAllocator;
import org.jdma.kernel.dmaengine.DmaChannelDriver;
import org.jdma.kernel.isadma.IsaDma;
import org.jdma.kernel.pci.PciBar;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciMsi;
import org.jdma.kernel.pci.PciMsix;
import org.jdma.platform.Clock;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.LineTrigger;

/**
 * Everything a driver gets for one device, and all it may use (Linux: the {@code struct device}
 * a probe receives, with devres). A driver never sees the machine, the PCI enumeration, the IOMMU
 * or another driver; it sees:
 * <ul>
 *   <li>{@link #mmio(int)}: a PCI device's memory BARs, as bounds-checked windows;
 *       {@link #ports(int)}: a legacy device's port ranges, likewise;</li>
 *   <li>{@link #allocateVectors(int, Affinity)}: MSI-X (or MSI) vectors, allocated, programmed and
 *       enabled, each sent to the CPU the {@link Affinity} gives it (one per CPU with
 *       {@link Affinity#spreadOverCpus()});
 *       {@link #requestIrq}: a legacy IRQ line routed to a vector;</li>
 *   <li>{@link #dma()}: the DMA API bound to the device, attached before the probe to whatever
 *       serves it (its IOMMU domain, direct or bounce mapping), with the checker in front when
 *       the kernel boots with it;</li>
 *   <li>{@link #clock()} to wait, {@link #cpu()} to reach memory the driver allocated through
 *       its DMA API (coherent allocations, buffers it mapped), and {@link #cpus()} and
 *       {@link #currentCpu()} for per-CPU work;</li>
 *   <li>{@link #registerDmaChannel}: a DMA-engine driver offers its channels to the kernel's
 *       channel allocator.</li>
 * </ul>
 * Calls that do not fit the device's bus (a BAR of a legacy device) throw
 * {@link IllegalStateException} naming the device.
 *
 * <p>What the context hands out it also takes back: after the driver's
 * {@link DriverInstance#remove()}, or when the probe fails, the kernel withdraws the registered
 * DMA channels (before the remove, so no client drives a device being removed), masks and frees the
 * vectors, unroutes the line, clears Bus Master Enable and detaches the device from the DMA API,
 * which releases every mapping and coherent allocation the driver left (the checker reports those
 * as leaks).
 *
 * <p>Thread use: the thread that probes, then the driver's own.
 */
public final class DriverContext {

    private final String name;
    private final DeviceInfo device;
    private final Platform platform;
    private final InterruptRouting routing;
    private final PciDevice pci;
    private final DeviceDmaApi dma;
    private final MmioWindow[] windows;
    private final DmaChannelAllocator channels;
    private final List<DmaChannelDriver> registeredChannels = new ArrayList<>();
    private IsaDma isaDma;
    private InterruptVectors vectors;
    private IrqLine irqLine;
    private boolean busMaster;
    private boolean released;

    DriverContext(String name, DeviceInfo device, Platform platform, InterruptRouting routing, PciDevice pci, DmaApi api,
                  DmaDevice dmaDevice, DmaChannelAllocator channels) {
        this.name = Objects.requireNonNull(name, "name");
        this.device = Objects.requireNonNull(device, "device");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.routing = Objects.requireNonNull(routing, "routing");
        this.pci = pci;
        this.dma = dmaDevice == null ? null : new DeviceDmaApi(api, dmaDevice);
        this.windows = new MmioWindow[pci == null ? 0 : pci.bars().stream().mapToInt(b -> b.index() + 1).max().orElse(0)];
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    /** The device's name: the driver's name and an instance number ("memcpy0"). */
    public String name() {
        return name;
    }

    /** What the device is: its PCI identity, or the legacy resources its driver declared. */
    public DeviceInfo device() {
        return device;
    }

    /**
     * Loads and stores to RAM the driver allocated through {@link #dma()} (ring memory, mapped
     * buffers), by the CPU the caller runs on.
     */
    public Cpu cpu() {
        return platform.cpu();
    }

    /** How many CPUs the platform has: a driver sizes per-CPU queues and vectors by it. */
    public int cpus() {
        return platform.cpus().size();
    }

    /** The index of the CPU the caller runs on (Linux {@code smp_processor_id()}). */
    public int currentCpu() {
        return platform.cpu().index();
    }

    public Clock clock() {
        return platform.clock();
    }

    /** How long deferred work waits when its CPU is already running deferred work, ns. */
    public static final long SOFTIRQ_RETRY_NS = 1_000;

    /**
     * Runs {@code code} as CPU {@code cpu} once the current event is done (Linux
     * {@code raise_softirq}: NAPI polls run there, on the CPU that took the interrupt). Deferred
     * work does not nest on a CPU: when {@code cpu} is inside other deferred work (which may be
     * waiting, letting the machine run), {@code code} waits {@link #SOFTIRQ_RETRY_NS} and tries
     * again.
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    public void raiseSoftirq(int cpu, String label, Runnable code) {
        routing.checkCpu(cpu, name, label);
        Objects.requireNonNull(code, "code");
        platform.clock().schedule(0, label, () -> runSoftirq(cpu, label, code));
    }

    private void runSoftirq(int cpu, String label, Runnable code) {
        if (!routing.enterSoftirq(cpu)) {
            retrySoftirq(cpu, label, () -> runSoftirq(cpu, label, code));
            return;
        }
        try {
            platform.runOn(cpu, code);
        } finally {
            routing.exitSoftirq(cpu);
        }
    }

    /**
     * Deferred work whose own CPU time the machine does not model but a cost model charges (a NAPI
     * poll): as {@link #raiseSoftirq}, {@code code} runs as CPU {@code cpu} once the current event is
     * done and returns the CPU time it took, ns, beyond the machine time that passed inside it. The
     * CPU stays in deferred work that much longer (other deferred work on it waits until then, as on
     * a CPU busy in a softirq), and then {@code then} runs there, still inside, and the work ends.
     * With 0 ns {@code then} runs at once, as the end of {@code code} would.
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    public void raiseTimedSoftirq(int cpu, String label, LongSupplier code, Runnable then) {
        routing.checkCpu(cpu, name, label);
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(then, "then");
        platform.clock().schedule(0, label, () -> runTimedSoftirq(cpu, label, code, then));
    }

    private void runTimedSoftirq(int cpu, String label, LongSupplier code, Runnable then) {
        if (!routing.enterSoftirq(cpu)) {
            retrySoftirq(cpu, label, () -> runTimedSoftirq(cpu, label, code, then));
            return;
        }
        long busyNs;
        try {
            long[] took = new long[1];
            platform.runOn(cpu, () -> took[0] = code.getAsLong());
            busyNs = Math.max(0, took[0]);
        } catch (RuntimeException | Error e) {
            routing.exitSoftirq(cpu);
            throw e;
        }
        if (busyNs == 0) {
            endSoftirq(cpu, then);
            return;
        }
        routing.busyUntil(cpu, platform.clock().now() + busyNs);
        platform.clock().schedule(busyNs, label, () -> endSoftirq(cpu, then));
    }

    private void endSoftirq(int cpu, Runnable then) {
        try {
            platform.runOn(cpu, then);
        } finally {
            routing.exitSoftirq(cpu);
        }
    }

    /**
     * Deferred work found {@code cpu} already in some: schedules {@code retry} for when it is free
     * (known when that work is spending modeled CPU time, else {@link #SOFTIRQ_RETRY_NS} later).
     * The retry is made only then, not at every run.
     */
    private void retrySoftirq(int cpu, String label, Runnable retry) {
        long busyFor = routing.busyUntil(cpu) - platform.clock().now();
        platform.clock().schedule(busyFor > 0 ? busyFor : SOFTIRQ_RETRY_NS, label, retry);
    }

    /**
     * The DMA API bound to this device.
     *
     * @throws IllegalStateException for a legacy device whose driver declared no DMA channel
     */
    public DeviceDmaApi dma() {
        if (dma == null) {
            throw new IllegalStateException(name + " (" + device + ") has no DMA: a legacy driver names a DMA channel in its "
                    + "match to get one");
        }
        return dma;
    }

    // ---- PCI ---------------------------------------------------------------------------------

    /**
     * Memory BAR {@code bar} as a window, with Memory Space decoding turned on first (Linux
     * {@code pci_enable_device} and {@code pci_iomap}). The same window each call.
     *
     * @throws ProbeException when the device has no memory BAR {@code bar}
     */
    public MmioWindow mmio(int bar) {
        PciDevice f = pci("a memory BAR");
        if (bar >= 0 && bar < windows.length && windows[bar] != null) {
            return windows[bar];
        }
        PciBar b = f.bar(bar).filter(x -> !x.io()).orElseThrow(() -> new ProbeException(String.format(
                "%s (%s): no memory BAR%d (BARs: %s)", name, device, bar, f.bars())));
        f.enableMemorySpace();
        MmioWindow w = new MmioWindow(platform.cpu(), name, bar, b.base(), b.size());
        windows[bar] = w;
        return w;
    }

    /** Lets the device master the bus: DMA and MSI writes (Linux {@code pci_set_master}). */
    public void enableBusMaster() {
        pci("bus mastering").enableBusMaster();
        busMaster = true;
    }

    /** Stops the device mastering the bus (Linux {@code pci_clear_master}). */
    public void disableBusMaster() {
        pci("bus mastering").disableBusMaster();
        busMaster = false;
    }

    /**
     * {@code count} interrupt vectors for the device, all sent to the boot CPU (Linux
     * {@code pci_alloc_irq_vectors} with {@code PCI_IRQ_MSIX | PCI_IRQ_MSI}): MSI-X entries
     * 0..count-1 when it has MSI-X, else its one MSI vector. Once per probe.
     *
     * @throws ProbeException when the device has neither, its table is smaller than {@code count},
     *         {@code count} > 1 with MSI only, or no vector is free
     */
    public InterruptVectors allocateVectors(int count) {
        return allocateVectors(count, Affinity.bootCpu());
    }

    /**
     * {@code count} interrupt vectors as {@link #allocateVectors(int)} gives them, each sent to
     * the CPU {@code affinity} chooses (Linux {@code pci_alloc_irq_vectors_affinity} with
     * {@code PCI_IRQ_AFFINITY} for {@link Affinity#spreadOverCpus()}): a driver with a queue per CPU
     * asks for {@link #cpus()} vectors spread over the CPUs and gets entry {@code i} on CPU {@code i}.
     *
     * @throws ProbeException as {@link #allocateVectors(int)}, and when the affinity names a CPU
     *         that does not exist
     */
    public InterruptVectors allocateVectors(int count, Affinity affinity) {
        PciDevice f = pci("MSI-X or MSI");
        checkOpen();
        if (vectors != null) {
            throw new IllegalStateException(name + ": interrupt vectors are allocated already (" + vectors + ")");
        }
        Optional<PciMsix> msix = PciMsix.of(f, platform.cpu());
        if (msix.isPresent()) {
            vectors = InterruptVectors.msix(name, f.requester(), routing, msix.get(), count, affinity);
            return vectors;
        }
        PciMsi msi = PciMsi.of(f).orElseThrow(() -> new ProbeException(name + " (" + device + "): no MSI-X or MSI capability"));
        if (count != 1) {
            throw new ProbeException(String.format("%s (%s): %d vectors asked for; it has MSI only, which gives one vector "
                    + "on a platform without interrupt remapping", name, device, count));
        }
        vectors = InterruptVectors.msi(name, f.requester(), routing, msi, affinity);
        return vectors;
    }

    // ---- legacy ------------------------------------------------------------------------------

    /**
     * Port range {@code index} of those the driver declared, as a window.
     *
     * @throws IllegalArgumentException when the driver declared fewer ranges
     */
    public IoPorts ports(int index) {
        List<PortRange> ranges = legacy("I/O ports").ports();
        if (index < 0 || index >= ranges.size()) {
            throw new IllegalArgumentException(String.format("%s: port range %d; its driver declared %d", name, index, ranges.size()));
        }
        return new IoPorts(platform.cpu(), name, ranges.get(index));
    }

    /**
     * Routes the IRQ line the driver declared to a new vector with {@code trigger} and runs
     * {@code handler} for each interrupt; the handler is attached before the line is unmasked.
     * Once per probe.
     *
     * @throws IllegalStateException when the driver declared no IRQ line
     */
    public IrqLine requestIrq(LineTrigger trigger, InterruptHandler handler) {
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(handler, "handler");
        LegacyResources r = legacy("an IRQ line");
        checkOpen();
        int line = r.irqLine().orElseThrow(() -> new IllegalStateException(name + ": its driver declared no IRQ line"));
        if (irqLine != null) {
            throw new IllegalStateException(name + ": IRQ " + line + " is routed already");
        }
        if (line >= routing.legacyLines()) {
            throw new ProbeException(String.format("%s: IRQ %d, but the interrupt controller has %d lines", name, line, routing.legacyLines()));
        }
        int vector = routing.allocate(name);
        routing.register(vector, handler);
        routing.routeLine(line, vector, trigger, 0);
        irqLine = new IrqLine(name, routing, line, vector, trigger);
        return irqLine;
    }

    void isaDma(IsaDma service) {
        this.isaDma = service;
    }

    /**
     * Linux's ISA DMA API, to program the 8237A channels the driver declared; the probe takes them
     * with {@code requestDma}.
     *
     * @throws IllegalStateException for a device whose driver declared no DMA channel
     */
    public IsaDma isaDma() {
        if (isaDma == null) {
            throw new IllegalStateException(name + " (" + device + ") declared no ISA DMA channel");
        }
        return isaDma;
    }

    /** The 8237 DMA channels the driver declared (empty for a PCI device). */
    public List<Integer> dmaChannels() {
        return device instanceof DeviceInfo.Legacy l ? l.resources().dmaChannels() : List.of();
    }

    // ---- DMA engine ----------------------------------------------------------------------------

    /**
     * Offers {@code channel} to the kernel's DMA channel allocator (Linux
     * {@code dmaenginem_async_device_register}: withdrawn by the kernel when the device is unbound).
     *
     * @throws IllegalArgumentException when the channel claims another device than this one, or
     *         its name is registered already
     */
    public void registerDmaChannel(DmaChannelDriver channel) {
        Objects.requireNonNull(channel, "channel");
        checkOpen();
        if (!channel.device().equals(name)) {
            throw new IllegalArgumentException(String.format("%s: channel %s says it belongs to %s", name, channel.name(), channel.device()));
        }
        channels.register(channel);
        registeredChannels.add(channel);
    }

    /** Withdraws the channels this device registered; their holders find them gone. Idempotent. */
    void withdrawDmaChannels(String why) {
        for (DmaChannelDriver c : registeredChannels) {
            channels.unregister(c, why);
        }
        registeredChannels.clear();
    }

    // ---- release -----------------------------------------------------------------------------

    /**
     * Takes back what this context handed out: vectors (entries masked, MSI-X or MSI off), the
     * IRQ line, bus mastering (Linux {@code pci_disable_device} clears it: an unbound device must
     * not reach memory), the DMA attachment. Idempotent.
     */
    void release() {
        if (released) {
            return;
        }
        released = true;
        List<RuntimeException> failures = new ArrayList<>();
        run(failures, () -> withdrawDmaChannels("its device " + name + " was released"));
        run(failures, () -> {
            if (vectors != null) {
                vectors.release();
            }
        });
        run(failures, () -> {
            if (irqLine != null) {
                irqLine.release();
            }
        });
        run(failures, () -> {
            if (busMaster) {
                pci.disableBusMaster();
            }
        });
        run(failures, () -> {
            if (dma != null) {
                dma.api().detach(dma.device());
            }
        });
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void run(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    private PciDevice pci(String what) {
        if (pci == null) {
            throw new IllegalStateException(name + " (" + device + ") is not a PCI device: it has no " + what);
        }
        return pci;
    }

    private LegacyResources legacy(String what) {
        if (!(device instanceof DeviceInfo.Legacy l)) {
            throw new IllegalStateException(name + " (" + device + ") is not a legacy device: it has no " + what);
        }
        return l.resources();
    }

    private void checkOpen() {
        if (released) {
            throw new IllegalStateException(name + ": the device was unbound; its context is released");
        }
    }

    @Override
    public String toString() {
        return "DriverContext[" + name + ": " + device + "]";
    }
}
