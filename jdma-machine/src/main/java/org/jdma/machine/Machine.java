package org.jdma.machine;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.jdma.machine.bus.BusMonitor;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cache.WriteBackCache;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.dev.rogue.RogueDevice;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.machine.firmware.acpi.DmarTableBuilder;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.machine.iommu.vtd.DrhdCoverage;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.legacy.LegacyBus;
import org.jdma.platform.irq.Interrupts;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.machine.memory.AnonymousMemory;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.memory.MmioWindow;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.memory.RamRegion;
import org.jdma.platform.pci.PciFunction;
import org.jdma.machine.pci.PciTopology;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;
import org.jdma.machine.time.TraceRecorder;
import org.jdma.platform.Clock;
import org.jdma.platform.Platform;

/**
 * An assembled machine: RAM, CPU cache, event kernel, interrupt controller, devices and PCI
 * bridges, wired as {@link MachineConfig} says, and the firmware that describes them: the memory
 * map and the ACPI DMAR table. It is the {@link Platform} an OS runs on. Closing it frees its RAM.
 *
 * <p>The firmware writes its DMAR when the machine is built, deriving device scope paths from the
 * machine's own bus numbering, and refuses a configuration whose table would lie: a remapping
 * unit's registers over RAM or a device BAR, a reserved memory region (RMRR) that is not RAM or
 * that overlaps a BAR. RMRR ranges are reported RESERVED in the memory map, as firmware must, so
 * an OS never allocates memory a device may be using behind its back.
 *
 * <p>Each DRHD of the DMAR is a {@link VtdUnit} answering at its register base, with CAP/ECAP
 * from {@link MachineConfig#vtd()}; every device's DMA port goes through the unit whose scope
 * covers it ({@link DrhdCoverage}), and devices no unit covers do physical DMA. A unit starts with
 * translation disabled (the reset state), so DMA is untranslated until a driver enables it.
 */
public final class Machine implements Platform, AutoCloseable {

    private final MachineConfig config;
    private final Arena arena = Arena.ofShared();
    private final EventKernel kernel;
    private final PhysicalMemory memory = new PhysicalMemory();
    private final IoPortSpace ioPorts = new IoPortSpace();
    private final CpuCache cache;
    private final MachineCpu cpu;
    private final InterruptController interrupts;
    private final LegacyBus legacyBus;
    private final List<BusMonitor> monitors = new CopyOnWriteArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final List<DmaPort> ports = new ArrayList<>();
    private final List<CopyEngine> copyEngines = new ArrayList<>();
    private final List<RogueDevice> rogueDevices = new ArrayList<>();
    private final List<VtdUnit> remappingUnits = new ArrayList<>();
    private final List<PciFunction> bridges;
    private final Map<Integer, PciTopology> topologies = new TreeMap<>();
    private final Map<String, byte[]> acpiTables = new HashMap<>();
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
                    ? new CoherentCache(memory, config.cache().lineSize())
                    : new WriteBackCache(memory, config.cache(), kernel.random().split());
            this.cpu = new MachineCpu(memory, ioPorts, cache, kernel, config.mmioAccessNs(), MachineCpu.DEFAULT_IO_PORT_ACCESS_NS);
            this.interrupts = new InterruptController(kernel, config.interruptLatencyNs());
            this.legacyBus = new LegacyBus(LegacyBus.LPC_BRIDGE, ioPorts, interrupts, kernel, this::plugDmaPort);
            for (int i = 0; i < config.copyEngines(); i++) {
                String name = "memcpy" + i;
                DeviceContext ctx = plugContext(name, RequesterId.of(0, MachineConfig.FIRST_COPY_ENGINE_DEVICE + i, 0));
                CopyEngine engine = new CopyEngine(config.copyEngine(), ctx);
                copyEngines.add(engine);
                plug(engine, ctx);
            }
            for (int i = 0; i < config.rogueDevices(); i++) {
                String name = "rogue" + i;
                DeviceContext ctx = plugContext(name, RequesterId.of(0, MachineConfig.FIRST_ROGUE_DEVICE + i, 0));
                RogueDevice rogue = new RogueDevice(ctx);
                rogueDevices.add(rogue);
                plug(rogue, ctx);
            }
            this.bridges = config.bridges().stream().map(MachineConfig.Bridge::pciFunction).toList();
            buildPciTopology();
            config.dmar().ifPresent(this::publishDmar);
            config.dmar().ifPresent(this::plugRemappingUnits);
        } catch (RuntimeException e) {
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
        };
    }

    public static Machine createDefault() {
        return new Machine(MachineConfig.defaults());
    }

    private DeviceContext plugContext(String name, RequesterId rid) {
        long bar = MachineConfig.MMIO_BASE + devices.size() * MachineConfig.BAR_STRIDE;
        DmaPort port = plugDmaPort(name, new DmaOrigin.PciRequester(rid));
        return new DeviceContext(name, rid, kernel, port, bar, MachineConfig.BAR_STRIDE);
    }

    /**
     * A DMA port on the machine's bus, covered by the remapping unit whose DMAR scope holds its
     * requester id when the units already exist (ports made earlier get theirs when they are plugged).
     */
    private DmaPort plugDmaPort(String name, DmaOrigin origin) {
        DmaPort port = new DmaPort(name, origin, memory, cache, interrupts, config.busTiming(), kernel::now, monitors);
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

    private void plug(Device d, DeviceContext ctx) {
        memory.addMmio(d.name(), ctx.barBase(), ctx.barSize(), d.registers());
        devices.add(d);
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
    public List<Device> devices() { return List.copyOf(devices); }
    public List<DmaPort> dmaPorts() { return List.copyOf(ports); }
    public List<CopyEngine> copyEngines() { return List.copyOf(copyEngines); }
    /** The rogue bus masters ({@link MachineConfig#rogueDevices()}), for attack scenarios. */
    public List<RogueDevice> rogueDevices() { return List.copyOf(rogueDevices); }

    /**
     * Checks that requester ids are unique and every function can be reached through the bridges,
     * and keeps each segment's topology.
     */
    private void buildPciTopology() {
        List<PciFunction> all = allPciFunctions();
        for (int i = 1; i < all.size(); i++) {
            if (all.get(i).requester().equals(all.get(i - 1).requester())) {
                throw new IllegalArgumentException(all.get(i - 1).name() + " and " + all.get(i).name()
                        + " both sit at " + all.get(i).requester());
            }
        }
        TreeSet<Integer> segments = new TreeSet<>(List.of(0));
        all.forEach(f -> segments.add(f.requester().segment()));
        for (int segment : segments) {
            topologies.put(segment, PciTopology.of(segment, all));
        }
        for (PciFunction f : all) {
            topologies.get(f.requester().segment()).pathTo(f.requester()); // throws, naming it, if unreachable
        }
    }

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
            if (base < r.base() + r.size() && r.base() < base + size) {
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

    @Override public MachineCpu cpu() { return cpu; }
    @Override public Clock clock() { return clock; }
    @Override public Interrupts interrupts() { return interrupts; }

    @Override
    public List<MemoryMapEntry> memoryMap() {
        List<MemoryMapEntry> map = new ArrayList<>();
        List<long[]> reserved = rmrrRanges();
        for (RamRegion r : memory.ramRegions()) {
            long at = r.base();
            for (long[] range : reserved) { // RMRRs lie inside RAM (checked when the machine is built)
                if (range[0] >= r.base() && range[0] < r.base() + r.size()) {
                    if (range[0] > at) {
                        map.add(new MemoryMapEntry(at, range[0] - at, MemoryMapEntry.Type.RAM));
                    }
                    map.add(new MemoryMapEntry(range[0], range[1] - range[0], MemoryMapEntry.Type.RESERVED));
                    at = range[1];
                }
            }
            if (at < r.base() + r.size()) {
                map.add(new MemoryMapEntry(at, r.base() + r.size() - at, MemoryMapEntry.Type.RAM));
            }
        }
        for (var w : memory.mmioWindows()) {
            map.add(new MemoryMapEntry(w.base(), w.size(), MemoryMapEntry.Type.RESERVED));
        }
        map.add(new MemoryMapEntry(MsiMessageLayout.INTERRUPT_RANGE_BASE, MsiMessageLayout.INTERRUPT_RANGE_SIZE, MemoryMapEntry.Type.RESERVED));
        map.sort((a, b) -> Long.compareUnsigned(a.base(), b.base()));
        return List.copyOf(map);
    }

    /** The union of the DMAR's RMRR ranges as sorted, disjoint [start, end) pairs. */
    private List<long[]> rmrrRanges() {
        List<long[]> ranges = config.dmar().stream()
                .flatMap(d -> d.structuresOf(DmarDescription.ReservedMemoryRegion.class).stream())
                .map(r -> new long[] {r.base(), r.limit() + 1})
                .sorted(Comparator.comparingLong(a -> a[0]))
                .toList();
        List<long[]> merged = new ArrayList<>();
        for (long[] r : ranges) {
            if (!merged.isEmpty() && r[0] <= merged.getLast()[1]) {
                merged.getLast()[1] = Math.max(merged.getLast()[1], r[1]);
            } else {
                merged.add(r.clone());
            }
        }
        return merged;
    }

    @Override
    public List<PciFunction> pciFunctions() {
        return allPciFunctions();
    }

    private List<PciFunction> allPciFunctions() {
        List<PciFunction> all = new ArrayList<>(devices.stream().map(Device::pciFunction).toList());
        all.addAll(bridges);
        all.sort(Comparator.comparing(PciFunction::requester));
        return List.copyOf(all);
    }

    @Override
    public Optional<byte[]> acpiTable(String signature) {
        return Optional.ofNullable(acpiTables.get(signature)).map(byte[]::clone);
    }

    /** Stops device threads (they must not touch RAM once it is unmapped), then frees RAM. */
    @Override
    public void close() {
        for (CopyEngine e : copyEngines) {
            e.stopThread();
        }
        arena.close();
    }
}
