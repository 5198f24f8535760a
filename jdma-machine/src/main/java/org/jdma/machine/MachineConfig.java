package org.jdma.machine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdma.machine.bus.BusTiming;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.cpu.MachineCpus;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.Placement;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.firmware.acpi.DmarDescription;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.pci.BridgeSpec;
import org.jdma.machine.pci.PciHostConfig;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * Everything that shapes a machine: the machine-wide parameters and the list of devices plugged
 * in. Sizes in bytes, times in nanoseconds. Made by {@link #builder()} (or {@link #defaults()},
 * {@link #toBuilder()} and the {@code with...} copies); immutable.
 *
 * <ul>
 *   <li>{@code seed}: seed of the machine's one random source</li>
 *   <li>{@code cpus}: how many CPUs, 1..255 ({@link #DEFAULT_CPUS}); CPU {@code i} has local APIC id
 *       {@code i}, CPU 0 is the boot CPU, and all share the one cache</li>
 *   <li>{@code ram}: RAM regions of the physical address map</li>
 *   <li>{@code cache}: the CPU data cache: coherent (x86) or write-back and bypassed by DMA</li>
 *   <li>{@code busTiming}: timing of each device's path to memory</li>
 *   <li>{@code interruptLatencyNs}: MSI write to handler entry</li>
 *   <li>{@code mmioAccessNs}: stall of an uncached MMIO read (configuration reads included)</li>
 *   <li>{@code ioPortAccessNs}: stall of one port I/O access (IN or OUT)</li>
 *   <li>{@code vtd}: what every remapping unit the DMAR describes offers (CAP/ECAP) and its timing</li>
 *   <li>{@code dmar}: the DMAR table the firmware publishes; empty: no DMA remapping to report</li>
 *   <li>{@code bridges}: PCI-to-PCI bridges (root ports) shaping the bus hierarchy</li>
 *   <li>{@code pci}: where ECAM and the BAR ranges sit</li>
 *   <li>{@code devices}: the devices, each a name, a kind, the kind's options and a placement</li>
 * </ul>
 *
 * <p>Checked when built: at least one RAM region; device and bridge names unique; no two PCI
 * functions at one requester id. Whether a placement can be honoured (a bus the bridges reach,
 * legacy resources nobody else claims) is the machine's to check when it is built.
 */
public final class MachineConfig {

    /** A RAM region to create. */
    public record Ram(String name, long base, long size) { }

    public static final long GiB = 1L << 30;
    /** Default number of CPUs: enough for per-CPU queues and interrupt affinity to mean something. */
    public static final int DEFAULT_CPUS = 4;
    /** Default MSI write to handler entry, ns. */
    public static final long DEFAULT_INTERRUPT_LATENCY_NS = 1_000;
    /** Default stall of an uncached MMIO read, ns. */
    public static final long DEFAULT_MMIO_ACCESS_NS = 250;
    /** Default stall of one port I/O access, ns: see {@code MachineCpu.DEFAULT_IO_PORT_ACCESS_NS}. */
    public static final long DEFAULT_IO_PORT_ACCESS_NS = org.jdma.machine.cpu.MachineCpu.DEFAULT_IO_PORT_ACCESS_NS;
    /**
     * Where the default machine's firmware reports its remapping unit's registers: the address
     * QEMU's q35 machine gives its VT-d unit.
     */
    public static final long VTD_REGISTER_BASE = 0xFED9_0000L;
    /** Host Address Width of the default DMAR: 39-bit DMA addresses (3-level VT-d page tables). */
    public static final int HOST_ADDRESS_WIDTH = 38;
    /** The default machine's PCIe root port: 00:1c.0 with bus 1 below it, nothing plugged in. */
    public static final BridgeSpec DEFAULT_ROOT_PORT = new BridgeSpec("rootport0", RequesterId.of(0, 0x1C, 0), 1, 1);

    private final long seed;
    private final int cpus;
    private final List<Ram> ram;
    private final CacheConfig cache;
    private final BusTiming busTiming;
    private final long interruptLatencyNs;
    private final long mmioAccessNs;
    private final long ioPortAccessNs;
    private final VtdConfig vtd;
    private final Optional<DmarDescription> dmar;
    private final List<BridgeSpec> bridges;
    private final PciHostConfig pci;
    private final List<DeviceSpec<?>> devices;

    private MachineConfig(Builder b) {
        this.seed = b.seed;
        this.cpus = MachineCpus.requireCount(b.cpus);
        this.ram = List.copyOf(b.ram);
        this.cache = Objects.requireNonNull(b.cache, "cache");
        this.busTiming = Objects.requireNonNull(b.busTiming, "busTiming");
        this.interruptLatencyNs = b.interruptLatencyNs;
        this.mmioAccessNs = b.mmioAccessNs;
        this.ioPortAccessNs = b.ioPortAccessNs;
        this.vtd = Objects.requireNonNull(b.vtd, "vtd");
        this.dmar = Objects.requireNonNull(b.dmar, "dmar");
        this.bridges = List.copyOf(b.bridges);
        this.pci = Objects.requireNonNull(b.pci, "pci");
        this.devices = List.copyOf(b.devices);
        if (ram.isEmpty()) {
            throw new IllegalArgumentException("a machine needs at least one RAM region");
        }
        if (interruptLatencyNs < 0 || mmioAccessNs < 0 || ioPortAccessNs < 0) {
            throw new IllegalArgumentException("latencies must be >= 0 ns");
        }
        checkUnique();
    }

    /** Device and bridge names are unique, and no two PCI functions share a requester id. */
    private void checkUnique() {
        Map<String, String> names = new HashMap<>();
        Map<RequesterId, String> slots = new HashMap<>();
        for (BridgeSpec b : bridges) {
            claim(names, b.name(), "bridge " + b.name());
            claimSlot(slots, b.requester(), b.name());
        }
        for (DeviceSpec<?> d : devices) {
            claim(names, d.name(), "device " + d.name());
            if (d.placement() instanceof Placement.PciSlot(RequesterId r)) {
                claimSlot(slots, r, d.name());
            }
        }
    }

    private static void claim(Map<String, String> names, String name, String what) {
        String before = names.putIfAbsent(name, what);
        if (before != null) {
            throw new IllegalArgumentException(before + " and " + what + " have the same name");
        }
    }

    private static void claimSlot(Map<RequesterId, String> slots, RequesterId r, String name) {
        String before = slots.putIfAbsent(r, name);
        if (before != null) {
            throw new IllegalArgumentException(before + " and " + name + " both sit at " + r);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The default machine: 2 GiB of RAM below 4 GiB (so 32-bit DMA masks have something to reach)
     * and 2 GiB above 4 GiB (so they also have something to miss), a PCI hole from 2 GiB to 4 GiB
     * with ECAM, the device BARs and the interrupt range, 64-byte cache lines, one copy engine at
     * 00:04.0, a PCIe root port at 00:1c.0 (bus 1, empty), and the {@link #defaultDmar()}.
     */
    public static MachineConfig defaults() {
        return builder()
                .ram(List.of(new Ram("low", 0, 2 * GiB), new Ram("high", 4 * GiB, 2 * GiB)))
                .bridge(DEFAULT_ROOT_PORT)
                .dmar(defaultDmar())
                .device(CopyEngine.spec(0))
                .build();
    }

    /**
     * The default machine's DMAR: one remapping unit at {@link #VTD_REGISTER_BASE} (one 4 KiB
     * register page) covering all of segment 0 (INCLUDE_PCI_ALL), 39-bit DMA addresses, no RMRRs.
     *
     * <p>Flags: INTR_REMAP and DMA_CTRL_PLATFORM_OPT_IN. The latter states that any DMA the platform starts
     * itself reaches only RMRR memory when firmware hands over to the OS, and asks the OS to keep
     * remapping on; that holds here (the firmware starts no DMA at all), and current Intel client
     * firmware sets it ("Kernel DMA Protection"). INTR_REMAP: the unit offers interrupt remapping
     * (ECAP.IR, {@link VtdConfig#DEFAULT}); X2APIC_OPT_OUT is clear (the machine runs in xAPIC mode).
     *
     * <p>The machine plugs a VT-d unit ({@link #vtd()}) in at the register base; it starts with
     * translation disabled, as hardware leaves reset.
     */
    public static DmarDescription defaultDmar() {
        return DmarDescription.of("JDMAMACH", HOST_ADDRESS_WIDTH, DmarLayout.FLAG_INTR_REMAP | DmarLayout.FLAG_DMA_CTRL_PLATFORM_OPT_IN,
                List.of(DmarDescription.RemappingUnit.includeAll(0, VTD_REGISTER_BASE)));
    }

    public long seed() { return seed; }
    /** How many CPUs the machine has (APIC ids 0..cpus-1). */
    public int cpus() { return cpus; }
    public List<Ram> ram() { return ram; }
    public CacheConfig cache() { return cache; }
    public BusTiming busTiming() { return busTiming; }
    public long interruptLatencyNs() { return interruptLatencyNs; }
    public long mmioAccessNs() { return mmioAccessNs; }
    public long ioPortAccessNs() { return ioPortAccessNs; }
    public VtdConfig vtd() { return vtd; }
    public Optional<DmarDescription> dmar() { return dmar; }
    public List<BridgeSpec> bridges() { return bridges; }
    public PciHostConfig pci() { return pci; }
    public List<DeviceSpec<?>> devices() { return devices; }

    /** The specs of every device of {@code kind}, in configuration order. */
    public List<DeviceSpec<?>> devicesOf(DeviceKind<?> kind) {
        return devices.stream().filter(d -> d.kind() == kind).toList();
    }

    public MachineConfig withSeed(long s) { return toBuilder().seed(s).build(); }
    public MachineConfig withCpus(int n) { return toBuilder().cpus(n).build(); }
    public MachineConfig withRam(List<Ram> r) { return toBuilder().ram(r).build(); }
    public MachineConfig withCache(CacheConfig c) { return toBuilder().cache(c).build(); }
    public MachineConfig withBusTiming(BusTiming t) { return toBuilder().busTiming(t).build(); }
    public MachineConfig withBridges(List<BridgeSpec> b) { return toBuilder().bridges(b).build(); }
    public MachineConfig withVtd(VtdConfig v) { return toBuilder().vtd(v).build(); }
    public MachineConfig withPci(PciHostConfig p) { return toBuilder().pci(p).build(); }

    /** The firmware publishes {@code d} as its DMAR. */
    public MachineConfig withDmar(DmarDescription d) { return toBuilder().dmar(d).build(); }

    /** The firmware publishes no DMAR: a machine without DMA remapping. */
    public MachineConfig withoutDmar() { return toBuilder().noDmar().build(); }

    /** The same machine with exactly {@code specs} as its devices. */
    public MachineConfig withDevices(List<? extends DeviceSpec<?>> specs) { return toBuilder().devices(specs).build(); }

    /** The same machine with {@code spec} plugged in as well. */
    public MachineConfig withDevice(DeviceSpec<?> spec) { return toBuilder().device(spec).build(); }

    /** The same machine without its devices of {@code kind}. */
    public MachineConfig withoutDevices(DeviceKind<?> kind) {
        return withDevices(devices.stream().filter(d -> d.kind() != kind).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MachineConfig c && seed == c.seed && cpus == c.cpus && ram.equals(c.ram) && cache.equals(c.cache)
                && busTiming.equals(c.busTiming) && interruptLatencyNs == c.interruptLatencyNs && mmioAccessNs == c.mmioAccessNs
                && ioPortAccessNs == c.ioPortAccessNs
                && vtd.equals(c.vtd) && dmar.equals(c.dmar) && bridges.equals(c.bridges) && pci.equals(c.pci)
                && devices.equals(c.devices);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, cpus, ram, cache, busTiming, interruptLatencyNs, mmioAccessNs, ioPortAccessNs, vtd, dmar, bridges, pci, devices);
    }

    @Override
    public String toString() {
        return "MachineConfig[seed=" + seed + ", cpus=" + cpus + ", ram=" + ram + ", cache=" + cache + ", busTiming=" + busTiming
                + ", interruptLatencyNs=" + interruptLatencyNs + ", mmioAccessNs=" + mmioAccessNs + ", ioPortAccessNs=" + ioPortAccessNs + ", vtd=" + vtd
                + ", dmar=" + dmar.map(d -> "present").orElse("none") + ", bridges=" + bridges + ", pci=" + pci
                + ", devices=" + devices + "]";
    }

    /**
     * Makes a {@link MachineConfig}. Starts empty: no RAM (one region is required), no devices,
     * no bridges, no DMAR, and the default CPUs, cache, bus timing, latencies, VT-d and PCI ranges.
     */
    public static final class Builder {
        private long seed = 1;
        private int cpus = DEFAULT_CPUS;
        private final List<Ram> ram = new ArrayList<>();
        private CacheConfig cache = CacheConfig.COHERENT;
        private BusTiming busTiming = BusTiming.DEFAULT;
        private long interruptLatencyNs = DEFAULT_INTERRUPT_LATENCY_NS;
        private long mmioAccessNs = DEFAULT_MMIO_ACCESS_NS;
        private long ioPortAccessNs = DEFAULT_IO_PORT_ACCESS_NS;
        private VtdConfig vtd = VtdConfig.DEFAULT;
        private Optional<DmarDescription> dmar = Optional.empty();
        private final List<BridgeSpec> bridges = new ArrayList<>();
        private PciHostConfig pci = PciHostConfig.DEFAULT;
        private final List<DeviceSpec<?>> devices = new ArrayList<>();

        private Builder() { }

        private Builder(MachineConfig c) {
            seed = c.seed;
            cpus = c.cpus;
            ram.addAll(c.ram);
            cache = c.cache;
            busTiming = c.busTiming;
            interruptLatencyNs = c.interruptLatencyNs;
            mmioAccessNs = c.mmioAccessNs;
            ioPortAccessNs = c.ioPortAccessNs;
            vtd = c.vtd;
            dmar = c.dmar;
            bridges.addAll(c.bridges);
            pci = c.pci;
            devices.addAll(c.devices);
        }

        public Builder seed(long s) { seed = s; return this; }
        /** CPUs, 1..255 (checked at {@link #build()}). */
        public Builder cpus(int n) { cpus = n; return this; }
        public Builder cache(CacheConfig c) { cache = c; return this; }
        public Builder busTiming(BusTiming t) { busTiming = t; return this; }
        public Builder interruptLatencyNs(long ns) { interruptLatencyNs = ns; return this; }
        public Builder mmioAccessNs(long ns) { mmioAccessNs = ns; return this; }
        public Builder ioPortAccessNs(long ns) { ioPortAccessNs = ns; return this; }
        public Builder vtd(VtdConfig v) { vtd = v; return this; }
        public Builder pci(PciHostConfig p) { pci = p; return this; }
        public Builder dmar(DmarDescription d) { dmar = Optional.of(d); return this; }
        public Builder noDmar() { dmar = Optional.empty(); return this; }

        /** Replaces the RAM regions. */
        public Builder ram(List<Ram> regions) {
            ram.clear();
            ram.addAll(regions);
            return this;
        }

        public Builder ram(String name, long base, long size) {
            ram.add(new Ram(name, base, size));
            return this;
        }

        /** Replaces the bridges. */
        public Builder bridges(List<BridgeSpec> b) {
            bridges.clear();
            bridges.addAll(b);
            return this;
        }

        public Builder bridge(BridgeSpec b) {
            bridges.add(Objects.requireNonNull(b, "bridge"));
            return this;
        }

        /** Replaces the devices. */
        public Builder devices(List<? extends DeviceSpec<?>> specs) {
            devices.clear();
            specs.forEach(this::device);
            return this;
        }

        /** Plugs in one more device. */
        public Builder device(DeviceSpec<?> spec) {
            devices.add(Objects.requireNonNull(spec, "device"));
            return this;
        }

        /** Plugs in device {@code name} of {@code kind} with {@code options} in PCI slot {@code slot}. */
        public <O> Builder device(String name, DeviceKind<O> kind, O options, RequesterId slot) {
            return device(DeviceSpec.pci(name, kind, options, slot));
        }

        /** Plugs in device {@code name} of {@code kind} with {@code options} on the legacy bus with {@code resources}. */
        public <O> Builder device(String name, DeviceKind<O> kind, O options, LegacyResources resources) {
            return device(DeviceSpec.legacy(name, kind, options, resources));
        }

        public MachineConfig build() {
            return new MachineConfig(this);
        }
    }
}
