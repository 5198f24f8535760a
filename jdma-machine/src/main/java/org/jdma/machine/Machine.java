package org.jdma.machine;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdma.machine.bus.AccessObservers;
import org.jdma.machine.bus.BusMonitor;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cache.WriteBackCache;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.Placement;
import org.jdma.machine.firmware.acpi.AcpiTableIds;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.firmware.acpi.DmarTableBuilder;
import org.jdma.machine.firmware.acpi.McfgTableBuilder;
import org.jdma.machine.iommu.vtd.DrhdCoverage;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.legacy.LegacyBus;
import org.jdma.machine.legacy.LegacyDevice;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.legacy.isadma.IsaBusTiming;
import org.jdma.machine.legacy.isadma.IsaDma;
import org.jdma.platform.irq.Interrupts;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.machine.memory.AnonymousMemory;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.pci.ConfigPorts;
import org.jdma.spec.pci.ConfigAddressLayout;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.machine.pci.PciEndpoint;
import org.jdma.machine.pci.PciFunction;
import org.jdma.machine.pci.LpcBridge;
import org.jdma.machine.pci.PciHostBridge;
import org.jdma.machine.pci.PciTopology;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.platform.Clock;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.DeviceAccessObserver;
import org.jdma.platform.Platform;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.acpi.McfgLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdRegisterLayout;

/**
 * An assembled machine: RAM, its CPUs ({@link MachineConfig#cpus()}, sharing one CPU cache), event kernel, interrupt controller, the PCI host bridge
 * with its ECAM window and bridges, the devices {@link MachineConfig#devices()} lists (each made by
 * its kind), and the firmware that describes them: BAR assignment, the memory map, and the ACPI
 * MCFG and DMAR tables. It is the {@link Platform} an OS runs on. Closing it stops the devices and
 * frees its RAM.
 *
 * <p>The machine knows no device: it gives each spec the {@link DeviceContext} its placement
 * calls for. A PCI device (name, requester id, event kernel, DMA port, MMIO space) goes behind the
 * host bridge, and firmware sizes and places its BARs. A legacy device (name, its I/O ports, IRQ
 * line and DMA channels, event kernel) is plugged into the {@link LegacyBus}, which grants all its
 * resources or refuses the machine naming the device that holds one; a machine with legacy devices
 * also publishes the LPC bridge function at 00:1f.0 that the legacy bus sits behind
 * ({@link #lpcBridge()}). Devices are found by name or type ({@link #device}, {@link #devices(Class)}).
 *
 * <p>The firmware writes its DMAR when the machine is built, deriving device scope paths from the
 * machine's own bus numbering, and refuses a configuration whose table would lie: a remapping
 * unit's registers over RAM or a device BAR, a reserved memory region (RMRR) that is not RAM or
 * that overlaps a BAR. RMRR ranges are reported RESERVED in the memory map, as firmware must, so
 * an OS never allocates memory a device may be using behind its back. The ECAM window, the BARs as
 * firmware placed them and the VT-d registers are RESERVED too.
 *
 * <p>Each DRHD of the DMAR is a {@link VtdUnit} answering at its register base, with CAP/ECAP
 * from {@link MachineConfig#vtd()}; every device's DMA port goes through the unit whose scope
 * covers it ({@link DrhdCoverage}), and devices no unit covers do physical DMA. A unit starts with
 * translation disabled (the reset state), so DMA is untranslated until a driver enables it.
 */
public final class Machine implements Platform, AutoCloseable {

    /** The name the LPC bridge function at {@link LegacyBus#LPC_BRIDGE} has in reports. */
    public static final String LPC_BRIDGE_NAME = "lpc";

    private final MachineConfig config;
    private final Arena arena = Arena.ofShared();
    private final EventKernel kernel;
    private final PhysicalMemory memory = new PhysicalMemory();
    private final IoPortSpace ioPorts = new IoPortSpace();
    private final CpuCache cache;
    private final MachineCpus cpus;
    private final InterruptController interrupts;
    private final LegacyBus legacyBus;
    private final List<BusMonitor> monitors = new CopyOnWriteArrayList<>();
    private final AccessObservers accessObservers = new AccessObservers();
    private final List<Device> devices = new ArrayList<>();
    private final Map<String, Device> byName = new HashMap<>();
    private final List<DmaPort> ports = new ArrayList<>();
    private final List<VtdUnit> remappingUnits = new ArrayList<>();
    private final PciHostBridge pci;
    /** Null on a machine without legacy devices (see {@link #lpcBridge()}). */
    private final LpcBridge lpcBridge;
    /** Null on a machine without legacy devices. */
    private final IsaDma isaDma;
    private final Map<Integer, PciTopology> topologies = new TreeMap<>();
    private final Map<String, byte[]> acpiTables = new HashMap<>();
    private final List<MemoryMapEntry> memoryMap;
    private final Clock clock;

    public Machine(MachineConfig config) {
        this.config = config;
        this.kernel = new EventKernel(config.seed(), new TraceRecorder());
        try {
            for (MachineConfig.Ram r : config.ram()) {
                if (MsiMessageLayout.INTERRUPT_RANGE_BASE < r.base() + r.size() && r.base() < MsiMessageLayout.INTERRUPT_RANGE_BASE + MsiMessageLayout.INTERRUPT_RANGE_SIZE) {
                    throw new IllegalArgumentException("RAM region " + r.name() + " overlaps the interrupt range 0xfee00000");
                }
                memory.addRam(r.name(), r.base(), AnonymousMemory.map(r.size(), arena));
            }
            // The write-back cache's speculative injector draws from a split of the machine's one
            // seeded source (taken only for non-coherent machines, so coherent runs draw as before).
            this.cache = config.cache().coherent()
                    ? new CoherentCache(memory, config.cache().lineSize(), config.cache().writeCombiningBuffers())
                    : new WriteBackCache(memory, config.cache(), kernel.random().split());
            this.cpus = new MachineCpus(memory, ioPorts, cache, kernel, config.cpus(), config.mmioAccessNs(), config.ioPortAccessNs());
            this.interrupts = new InterruptController(kernel, config.interruptLatencyNs(), cpus);
            this.legacyBus = new LegacyBus(LegacyBus.LPC_BRIDGE, ioPorts, interrupts, kernel, this::plugDmaPort);
            this.pci = new PciHostBridge(config.pci(), config.bridges());
            this.lpcBridge = hasLegacyDevices(config) ? new LpcBridge(LPC_BRIDGE_NAME, legacyBus.bridge()) : null;
            // The LPC bridge holds the 8237A pair, as Intel's ICH does.
            this.isaDma = lpcBridge == null ? null : IsaDma.install(legacyBus, ioPorts, kernel, cpus, IsaBusTiming.DEFAULT);
            if (lpcBridge != null) {
                pci.add(lpcBridge);
            }
            memory.addMmio("ecam", config.pci().ecamBase(), config.pci().ecamSize(), pci.ecam());
            ioPorts.claim("pci-config", ConfigAddressLayout.ADDRESS_PORT, ConfigAddressLayout.PORT_COUNT, new ConfigPorts(pci.ecam()));
            requireNoRam(String.format("the BAR addresses of the PCI MMIO range [%#x, %#x)", config.pci().mmio32Base(), config.pci().mmio32Limit()),
                    config.pci().mmio32Base(), config.pci().mmio32Limit() - config.pci().mmio32Base());
            requireNoRam(String.format("the BAR addresses of the PCI MMIO range [%#x, %#x)", config.pci().mmio64Base(), config.pci().mmio64Limit()),
                    config.pci().mmio64Base(), config.pci().mmio64Limit() - config.pci().mmio64Base());
            for (DeviceSpec<?> spec : config.devices()) {
                plug(spec);
            }
            pci.initialize();
            topologies.put(0, pci.topology());
            publishMcfg();
            config.dmar().ifPresent(this::publishDmar);
            config.dmar().ifPresent(this::plugRemappingUnits);
            this.memoryMap = FirmwareMemoryMap.of(memory, config.dmar());
        } catch (RuntimeException e) {
            devices.forEach(Device::close);
            arena.close(); // a configuration the machine refuses must not leak its RAM mappings
            throw e;
        }
        this.clock = new Clock() {
            @Override public long now() { return kernel.now(); }
            @Override public boolean runUntil(BooleanSupplier condition) { return kernel.runUntil(condition); }
            @Override public boolean runUntil(BooleanSupplier condition, long timeoutNs) {
                if (timeoutNs > Long.MAX_VALUE - kernel.now()) {
                    // A timeout past the end of time (Long.MAX_VALUE: "wait forever") is no deadline.
                    return kernel.runUntil(condition);
                }
                return kernel.runUntil(condition, kernel.now() + timeoutNs);
            }
            @Override public void runFor(long deltaNs) { kernel.runFor(deltaNs); }
            @Override public void runUntilIdle() { kernel.runUntilIdle(); }
            @Override public void schedule(long delayNs, String label, Runnable action) { kernel.schedule(delayNs, label, action); }
            @Override public long quietUntil() { return kernel.quietUntil(); }
        };
    }

    public static Machine createDefault() {
        return new Machine(MachineConfig.defaults());
    }

    /**
     * A DMA port on the machine's bus, covered by the remapping unit whose DMAR scope holds its
     * requester id when the units already exist (ports made earlier get theirs when they are plugged).
     */
    private DmaPort plugDmaPort(String name, DmaOrigin origin) {
        DmaPort port = new DmaPort(name, origin, memory, cache, interrupts, config.busTiming(), kernel::now, monitors,
                accessObservers);
        ports.add(port);
        coverByRemappingUnit(port);
        return port;
    }

    private void coverByRemappingUnit(DmaPort port) {
        if (remappingUnits.isEmpty() || config.dmar().isEmpty()) {
            return;
        }
        List<DmarDescription.RemappingUnit> drhds = config.dmar().get().structuresOf(DmarDescription.RemappingUnit.class);
        int i = DrhdCoverage.unitFor(drhds, port.requester(), pciTopology(port.requester().segment()));
        if (i >= 0) {
            port.translator(remappingUnits.get(i));
        }
    }

    /**
     * Makes the device {@code spec} describes through its kind and puts it where the spec says:
     * behind the PCI host bridge, or on the legacy bus, which grants its resources or refuses it.
     */
    private void plug(DeviceSpec<?> spec) {
        switch (spec.placement()) {
            case Placement.PciSlot(RequesterId slot) -> plugPci(spec, slot);
            case Placement.Legacy(LegacyResources resources) -> plugLegacy(spec, resources);
        }
    }

    private void plugPci(DeviceSpec<?> spec, RequesterId slot) {
        DmaPort port = plugDmaPort(spec.name(), new DmaOrigin.PciRequester(slot));
        Device device = made(spec, spec.create(new DeviceContext.Pci(spec.name(), slot, kernel, port, memory)));
        if (!(device instanceof PciEndpoint endpoint)) {
            throw new IllegalArgumentException(String.format("device %s: kind %s made a %s, which is no PCI endpoint, for PCI slot %s",
                    spec.name(), spec.kind().name(), device.getClass().getSimpleName(), slot));
        }
        pci.add(endpoint);
    }

    private void plugLegacy(DeviceSpec<?> spec, LegacyResources resources) {
        Device device = made(spec, spec.create(new DeviceContext.Legacy(spec.name(), resources, kernel)));
        if (!(device instanceof LegacyDevice legacy)) {
            throw new IllegalArgumentException(String.format("device %s: kind %s made a %s, which is no legacy device, for %s",
                    spec.name(), spec.kind().name(), device.getClass().getSimpleName(), spec.placement()));
        }
        if (!legacy.name().equals(spec.name()) || !resources.equals(legacy.resources())) {
            throw new IllegalArgumentException(String.format("device %s: kind %s made %s asking the legacy bus for %s, not for its placement's %s",
                    spec.name(), spec.kind().name(), legacy.name(), legacy.resources(), resources));
        }
        legacyBus.plug(legacy); // grants every resource or throws naming the holder; claims nothing then
    }

    /** Records the device {@code spec} made (before anything can refuse it, so that a refused machine closes it). */
    private Device made(DeviceSpec<?> spec, Device device) {
        devices.add(device);
        byName.put(spec.name(), device);
        return device;
    }

    private void publishMcfg() {
        AcpiTableIds ids = config.dmar().map(DmarDescription::ids).orElse(AcpiTableIds.jdma(McfgLayout.REVISION, "JDMAMACH"));
        AcpiTableIds mcfgIds = new AcpiTableIds(McfgLayout.REVISION, ids.oemId(), ids.oemTableId(), ids.oemRevision(),
                ids.creatorId(), ids.creatorRevision());
        acpiTables.put(McfgLayout.SIGNATURE, McfgTableBuilder.build(mcfgIds,
                List.of(new McfgTableBuilder.Allocation(config.pci().ecamBase(), 0, 0, config.pci().endBus()))));
    }

    /**
     * A platform reset, then firmware again: the dirty lines of a write-back CPU cache are written
     * back (RAM then holds what the CPUs last stored; RAM itself is not cleared, as on real
     * hardware), pending events are dropped and virtual time is back at 0, every PCI function,
     * legacy device, the 8237A pair, the LPC bridge and every remapping unit return to their
     * power-on state, and firmware places the BARs again. For harnesses that run many short
     * experiments on one machine (the fuzz targets), where building a machine per experiment
     * would cost more than the experiment. Counters, bus monitors, observers and the seeded random
     * source go on. A device running its own thread is stopped first ({@link Device#stopThread()},
     * which joins it); then the work it posted to the machine thread is dropped with the events.
     */
    public void reset() {
        for (Device d : devices) {
            d.stopThread();
        }
        for (RamRegion r : memory.ramRegions()) {
            cache.cleanInvalidate(r.base(), r.size());
        }
        kernel.reset();
        for (Device d : devices) {
            if (d instanceof PciEndpoint) {
                d.reset();
            }
        }
        legacyBus.reset();
        if (lpcBridge != null) {
            lpcBridge.reset();
        }
        remappingUnits.forEach(VtdUnit::reset);
        pci.assignBars();
    }

    public MachineConfig config() { return config; }
    public EventKernel eventKernel() { return kernel; }
    public TraceRecorder trace() { return kernel.trace(); }
    public PhysicalMemory physicalMemory() { return memory; }
    public InterruptController interruptController() { return interrupts; }
    /** The I/O port space the CPU's IN and OUT reach. */
    public IoPortSpace ioPorts() { return ioPorts; }
    /** The legacy (ISA/LPC) bus behind the LPC bridge at 00:1f.0, where legacy devices plug in. */
    public LegacyBus legacyBus() { return legacyBus; }
    /**
     * The LPC bridge's PCI function at 00:1f.0, which the legacy bus sits behind; present when the
     * configuration places a device on the legacy bus. A machine without legacy devices is
     * legacy-free: nothing answers at 00:1f.0, so enumeration finds no bridge to a bus that is
     * empty (and an OS gives no DMA domain to it). Configuration space is fixed when the machine
     * is built: a device plugged into {@link #legacyBus()} by hand afterwards (as bus tests do)
     * does not make the bridge appear.
     */
    public Optional<LpcBridge> lpcBridge() { return Optional.ofNullable(lpcBridge); }

    /** The two 8237A DMA controllers in the LPC bridge; present when the LPC bridge is. */
    public Optional<IsaDma> isaDma() { return Optional.ofNullable(isaDma); }

    private static boolean hasLegacyDevices(MachineConfig config) {
        return config.devices().stream().anyMatch(d -> d.placement() instanceof Placement.Legacy);
    }
    public List<DmaPort> dmaPorts() { return List.copyOf(ports); }

    /** Every device, in configuration order. */
    public List<Device> devices() { return List.copyOf(devices); }

    /** The device its spec named {@code name}. */
    public Device device(String name) {
        Device d = byName.get(name);
        if (d == null) {
            throw new NoSuchElementException("no device called " + name + " (devices: " + byName.keySet() + ")");
        }
        return d;
    }

    /** The devices that are {@code type}s ({@code CopyEngine.class}), in configuration order. */
    public <T> List<T> devices(Class<T> type) {
        return devices.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The PCI host bridge: ECAM, bridges and endpoints (for reports and tests). */
    public PciHostBridge pciHost() { return pci; }

    /** Every PCI function, bridges included, by requester id (what a configuration scan finds). */
    public List<PciFunction> pciFunctions() { return pci.functions(); }

    private void publishDmar(DmarDescription dmar) {
        // Every segment the table names has a topology: root bus 0, plus bridges where there are any.
        TreeMap<Integer, PciTopology> bySegment = new TreeMap<>(topologies);
        for (DmarDescription.Structure s : dmar.structures()) {
            segmentOf(s).ifPresent(seg -> bySegment.computeIfAbsent(seg, this::pciTopology));
        }
        byte[] table = DmarTableBuilder.build(dmar, bySegment.values());
        for (DmarDescription.RemappingUnit u : dmar.structuresOf(DmarDescription.RemappingUnit.class)) {
            String what = String.format("DRHD registers [%#x, %#x)", u.registerBase(), u.registerBase() + u.registerSetSize());
            requireNoRam(what, u.registerBase(), u.registerSetSize());
            requireNoMmio(what, u.registerBase(), u.registerSetSize());
        }
        for (DmarDescription.ReservedMemoryRegion r : dmar.structuresOf(DmarDescription.ReservedMemoryRegion.class)) {
            String what = String.format("RMRR [%#x, %#x]", r.base(), r.limit());
            RamRegion ram = memory.ramAt(r.base());
            if (ram == null || Long.compareUnsigned(r.limit(), ram.base() + ram.size() - 1) > 0) {
                throw new IllegalArgumentException(what + " is not inside one RAM region: a reserved memory region is memory"
                        + " the firmware keeps for a device");
            }
            requireNoMmio(what, r.base(), r.limit() - r.base() + 1);
        }
        acpiTables.put(DmarLayout.SIGNATURE, table);
    }

    /**
     * One unit per DRHD at its register base; then each DMA port made so far gets the unit that
     * covers its requester id (ports made later, such as legacy DMA channels, get theirs then).
     */
    private void plugRemappingUnits(DmarDescription dmar) {
        List<DmarDescription.RemappingUnit> drhds = dmar.structuresOf(DmarDescription.RemappingUnit.class);
        for (int i = 0; i < drhds.size(); i++) {
            DmarDescription.RemappingUnit d = drhds.get(i);
            VtdUnit unit = new VtdUnit("dmar" + i, d.segment(), d.registerBase(), config.vtd(), dmar.hostAddressWidth() + 1,
                    memory, cache, interrupts, kernel);
            // The register page is 4 KiB; a DRHD may claim more pages, which then read as zero.
            memory.addMmio(unit.name(), d.registerBase(), Math.max(d.registerSetSize(), VtdRegisterLayout.REGISTER_SET_SIZE), unit);
            remappingUnits.add(unit);
        }
        ports.forEach(this::coverByRemappingUnit);
    }

    /** The VT-d units the DMAR describes, in DRHD order (for the command-line tool's reports). */
    public List<VtdUnit> remappingUnits() {
        return List.copyOf(remappingUnits);
    }

    private static Optional<Integer> segmentOf(DmarDescription.Structure s) {
        return switch (s) {
            case DmarDescription.RemappingUnit u -> Optional.of(u.segment());
            case DmarDescription.ReservedMemoryRegion r -> Optional.of(r.segment());
            case DmarDescription.RootPortAts a -> Optional.of(a.segment());
            case DmarDescription.SocAtc c -> Optional.of(c.segment());
            case DmarDescription.SocDeviceProperties p -> Optional.of(p.segment());
            case DmarDescription.UnitAffinity a -> Optional.empty();
            case DmarDescription.NamespaceDevice n -> Optional.empty();
            case DmarDescription.UnknownStructure u -> Optional.empty();
        };
    }

    private void requireNoRam(String what, long base, long size) {
        for (RamRegion r : memory.ramRegions()) {
            if (Long.compareUnsigned(base, r.base() + r.size()) < 0 && Long.compareUnsigned(r.base(), base + size) < 0) {
                throw new IllegalArgumentException(what + " overlap RAM region " + r.name());
            }
        }
    }

    private void requireNoMmio(String what, long base, long size) {
        for (MmioWindow w : memory.mmioWindows()) {
            if (base < w.base() + w.size() && w.base() < base + size) {
                throw new IllegalArgumentException(what + " overlap the MMIO window of " + w.name());
            }
        }
        if (base < MsiMessageLayout.INTERRUPT_RANGE_BASE + MsiMessageLayout.INTERRUPT_RANGE_SIZE
                && MsiMessageLayout.INTERRUPT_RANGE_BASE < base + size) {
            throw new IllegalArgumentException(what + " overlap the interrupt range 0xfee00000");
        }
    }

    /** The bus hierarchy of {@code segment} as the firmware knows it: root bus 0 and the configured bridges. */
    public PciTopology pciTopology(int segment) {
        return topologies.getOrDefault(segment, PciTopology.of(segment, List.of()));
    }

    public void addBusMonitor(BusMonitor m) { monitors.add(m); }
    public void removeBusMonitor(BusMonitor m) { monitors.remove(m); }

    /** Every DMA port of this machine tells {@code o} of each memory request before it moves data. */
    @Override
    public boolean addDeviceAccessObserver(DeviceAccessObserver o) {
        accessObservers.add(o);
        return true;
    }

    @Override
    public void removeDeviceAccessObserver(DeviceAccessObserver o) { accessObservers.remove(o); }

    /** The CPU the calling thread runs as: the boot CPU unless it entered another ({@link #runOn}). */
    @Override public MachineCpu cpu() { return cpus.current(); }

    /** Every CPU, by index (APIC id = index); the first is the boot CPU. */
    @Override public List<MachineCpu> cpus() { return cpus.all(); }

    /** The CPUs as a set: who runs as which, totals of their counters. */
    public MachineCpus processors() { return cpus; }

    @Override public void runOn(int cpu, Runnable code) { cpus.runOn(cpu, code); }

    @Override public <T> T callOn(int cpu, Supplier<T> code) { return cpus.callOn(cpu, code); }
    @Override public Clock clock() { return clock; }
    @Override public Interrupts interrupts() { return interrupts; }

    /** The memory map as firmware reported it when the machine was built (BARs where it put them). */
    @Override
    public List<MemoryMapEntry> memoryMap() {
        return memoryMap;
    }

    @Override
    public Optional<byte[]> acpiTable(String signature) {
        return Optional.ofNullable(acpiTables.get(signature)).map(byte[]::clone);
    }

    /** Stops device threads (they must not touch RAM once it is unmapped), then frees RAM. */
    @Override
    public void close() {
        try {
            for (Device d : devices) {
                d.close();
            }
        } finally {
            arena.close();
        }
    }
}
