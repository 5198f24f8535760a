package org.jdma.kernel.iommu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdma.kernel.acpi.DmarDeviceLookup;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.iommu.vtd.FlushQueue;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Platform;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.spec.pci.RequesterId;

/**
 * The kernel's IOMMU subsystem (Linux {@code intel_iommu_init} + the IOMMU core's default domains):
 * parses the firmware's DMAR, drives one {@link VtdUnitDriver} per DRHD whose registers answer,
 * gives every PCI endpoint a unit covers a default domain of the configured {@link IommuMode}
 * (a DMA domain of its own, or the unit's shared identity domain), identity-maps each device's
 * RMRRs in its domain, and only then enables translation on each unit.
 *
 * <p>In {@link IommuMode#OFF} nothing is programmed: units stay untouched, translation stays off,
 * and {@link #domainOf} is empty for every device. Problems that leave devices untranslated (no
 * DMAR, a unit that does not answer) are collected in {@link #problems()} rather than thrown, as
 * Linux logs and goes on without remapping.
 */
public final class IommuSubsystem implements Iommu, AutoCloseable {

    /**
     * @param mode           how to use the units
     * @param iovaAllocators makes one IOVA allocator (granule 4096) per DMA domain; null: the
     *                       cached allocator ({@link CachedIovaAllocator}, Linux's default)
     */
    public record Config(IommuMode mode, Supplier<IovaAllocator> iovaAllocators) {
        public Config {
            Objects.requireNonNull(mode, "mode");
            if (iovaAllocators == null) {
                iovaAllocators = CachedIovaAllocator::new;
            }
        }

        public Config(IommuMode mode) {
            this(mode, null);
        }

        public static Config off() {
            return new Config(IommuMode.OFF, null);
        }
    }

    private final Platform platform;
    private final PciSubsystem pci;
    private final Config config;
    private final List<String> problems = new ArrayList<>();
    private final List<String> bootLog = new ArrayList<>();
    private final Map<Long, VtdUnitDriver> units = new LinkedHashMap<>();
    private final Map<Long, VtdDomain> identityDomains = new LinkedHashMap<>();
    private final Map<RequesterId, VtdDomain> domains = new LinkedHashMap<>();
    private final List<IommuFaultListener> listeners = new ArrayList<>();
    private DmarDeviceLookup lookup;

    private IommuSubsystem(Platform platform, PciSubsystem pci, Config config) {
        this.platform = platform;
        this.pci = pci;
        this.config = config;
    }

    /** Brings the IOMMU up as {@code config} says, for the devices a fresh PCI scan finds. See the class comment. */
    public static IommuSubsystem init(Platform platform, FrameAllocator frames, Config config) {
        return init(platform, PciSubsystem.scan(platform), frames, config);
    }

    /** Brings the IOMMU up as {@code config} says, for the devices {@code pci} enumerated. See the class comment. */
    public static IommuSubsystem init(Platform platform, PciSubsystem pci, FrameAllocator frames, Config config) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(pci, "pci");
        Objects.requireNonNull(frames, "frames");
        IommuSubsystem s = new IommuSubsystem(platform, pci, Objects.requireNonNull(config, "config"));
        if (config.mode() != IommuMode.OFF) {
            s.bringUp(frames);
        }
        return s;
    }

    /** Which DRHD covers which device, from {@code table} and the bridges {@code pci} found. */
    public static DmarDeviceLookup deviceLookup(DmarTable table, PciSubsystem pci) {
        return new DmarDeviceLookup(table, pci.bridges().stream()
                .map(b -> new DmarDeviceLookup.Bridge(b.requester(), b.secondaryBus(), b.subordinateBus())).toList());
    }

    private void bringUp(FrameAllocator frames) {
        Optional<byte[]> raw = platform.acpiTable("DMAR");
        if (raw.isEmpty()) {
            problems.add("no DMAR table: DMA is not remapped");
            return;
        }
        DmarTable table;
        try {
            table = DmarParser.parse(raw.get());
        } catch (DmarParseException e) {
            problems.add("DMAR table rejected, DMA is not remapped: " + e.getMessage());
            return;
        }
        lookup = deviceLookup(table, pci);
        for (Drhd drhd : table.structuresOf(Drhd.class)) {
            Optional<VtdUnitDriver> u = VtdUnitDriver.probe(platform, frames, drhd.registerBase(), drhd.segment());
            if (u.isEmpty()) {
                problems.add(String.format("DRHD at %#x (segment %d): VER reads all ones or zero, no unit answers; its devices' DMA is not remapped",
                        drhd.registerBase(), drhd.segment()));
                continue;
            }
            VtdUnitDriver unit = u.get();
            try {
                unit.init();
            } catch (IllegalStateException e) {
                // A unit that does not complete a command: Linux fails its init and goes on without it.
                problems.add(String.format("DRHD at %#x: init failed, its devices' DMA is not remapped: %s",
                        drhd.registerBase(), e.getMessage()));
                continue;
            }
            bootLog.add(String.format("DMAR: unit %#x: VER %#x CAP %#018x ECAP %#018x, %d-level tables",
                    unit.registerBase(), unit.version(), unit.cap(), unit.ecap(), unit.contextAw() + 2));
            bootLog.add(String.format("DMAR: unit %#x: root table at %#x (GCMD.SRTP), %s, fault events on vector %d",
                    unit.registerBase(), unit.rootTable(),
                    unit.queuedInvalidation() ? "queued invalidation enabled (GCMD.QIE)" : "register-based invalidation",
                    unit.faultVector()));
            unit.addFaultListener(this::dispatchFault);
            units.put(drhd.registerBase(), unit);
        }
        for (PciDevice f : pci.endpoints()) {
            RequesterId rid = f.requester();
            VtdUnitDriver unit = unitOf(rid).orElse(null);
            if (unit == null) {
                continue;
            }
            VtdDomain d = defaultDomain(unit);
            for (Rmrr r : lookup.reservedRegionsFor(rid)) {
                // RMRR limit is the last byte (VT-d spec §8.4).
                d.reserveAndMapIdentity(r.base(), r.limit() - r.base() + 1);
                bootLog.add(String.format("DMAR: %s: RMRR [%#x-%#x] identity-mapped in %s domain %d",
                        rid, r.base(), r.limit(), d.type(), d.id()));
            }
            d.attach(rid);
            domains.put(rid, d);
            bootLog.add(String.format("DMAR: %s: attached to %s domain %d on unit %#x", rid, d.type(), d.id(), unit.registerBase()));
        }
        // Only now, with every RMRR mapped, may the units start translating (VT-d spec §8.4).
        for (VtdUnitDriver unit : units.values()) {
            unit.enableTranslation();
            bootLog.add(String.format("DMAR: unit %#x: translation enabled", unit.registerBase()));
        }
    }

    private VtdDomain defaultDomain(VtdUnitDriver unit) {
        return switch (config.mode()) {
            case STRICT -> VtdDomain.dma(unit, IommuDomain.Type.DMA_STRICT, config.iovaAllocators().get(), platform.clock());
            case LAZY -> VtdDomain.dma(unit, IommuDomain.Type.DMA_LAZY, config.iovaAllocators().get(), platform.clock());
            case IDENTITY -> identityDomain(unit);
            case OFF -> throw new IllegalStateException("no domains in mode OFF");
        };
    }

    /** The unit's shared identity domain (Linux {@code si_domain}), made on first use. */
    public VtdDomain identityDomain(VtdUnitDriver unit) {
        return identityDomains.computeIfAbsent(unit.registerBase(), b -> {
            List<long[]> ranges = new ArrayList<>();
            for (MemoryMapEntry e : platform.memoryMap()) {
                if (e.type() == MemoryMapEntry.Type.RAM) {
                    ranges.add(new long[] {e.base(), e.length()});
                }
            }
            if (lookup != null) {
                for (Rmrr r : lookup.table().structuresOf(Rmrr.class)) {
                    ranges.add(new long[] {r.base(), r.limit() - r.base() + 1});
                }
            }
            return VtdDomain.identity(unit, ranges, true);
        });
    }

    /** The initialised unit that translates {@code device}, if any. */
    public Optional<VtdUnitDriver> unitOf(RequesterId device) {
        if (lookup == null) {
            return Optional.empty();
        }
        return lookup.unitFor(device).map(d -> units.get(d.registerBase()));
    }

    @Override
    public synchronized Optional<IommuDomain> domainOf(RequesterId device) {
        return Optional.ofNullable(domains.get(device));
    }

    /** As {@link #domainOf}, with the VT-d type. */
    public synchronized Optional<VtdDomain> vtdDomainOf(RequesterId device) {
        return Optional.ofNullable(domains.get(device));
    }

    /**
     * A new domain of {@code type} on the unit that covers {@code device} (not attached yet).
     * DMA domains get a fresh IOVA allocator from the configuration (or throw when there is none).
     */
    public VtdDomain createDomain(RequesterId device, IommuDomain.Type type) {
        VtdUnitDriver unit = unitOf(device).orElseThrow(() -> new IllegalArgumentException(
                "no enabled remapping unit covers " + device));
        return switch (type) {
            case DMA_STRICT, DMA_LAZY -> VtdDomain.dma(unit, type, config.iovaAllocators().get(), platform.clock());
            case IDENTITY -> identityDomain(unit);
            case BLOCKED -> VtdDomain.blocked(unit);
        };
    }

    /**
     * Moves {@code device} into {@code domain} (detaching it from its current one), mapping its
     * RMRRs there first. Returns the previous domain, if any.
     */
    public synchronized Optional<VtdDomain> attach(RequesterId device, VtdDomain domain) {
        VtdUnitDriver unit = unitOf(device).orElseThrow(() -> new IllegalArgumentException(
                "no enabled remapping unit covers " + device));
        if (unit != domain.unit()) {
            throw new IllegalArgumentException(String.format("%s is behind unit %#x; domain %d belongs to unit %#x",
                    device, unit.registerBase(), domain.id(), domain.unit().registerBase()));
        }
        for (Rmrr r : lookup.reservedRegionsFor(device)) {
            domain.reserveAndMapIdentity(r.base(), r.limit() - r.base() + 1);
        }
        VtdDomain old = domains.get(device);
        if (old != null) {
            old.detach(device);
        }
        domain.attach(device);
        domains.put(device, domain);
        return Optional.ofNullable(old);
    }

    public IommuMode mode() {
        return config.mode();
    }

    /** Whether any unit translates. */
    public boolean enabled() {
        return !units.isEmpty();
    }

    public List<VtdUnitDriver> units() {
        return List.copyOf(units.values());
    }

    /** What init did, in order (as Linux's "DMAR:" boot messages). */
    public List<String> bootLog() {
        return List.copyOf(bootLog);
    }

    /** Problems met at init that left devices untranslated. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    public synchronized void addFaultListener(IommuFaultListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    public synchronized void removeFaultListener(IommuFaultListener l) {
        listeners.remove(l);
    }

    private void dispatchFault(IommuFault f) {
        List<IommuFaultListener> ls;
        synchronized (this) {
            ls = List.copyOf(listeners);
        }
        ls.forEach(l -> l.onFault(f));
    }

    /** Every fault every unit's handler has read, oldest first per unit. */
    public List<IommuFault> faults() {
        List<IommuFault> all = new ArrayList<>();
        units.values().forEach(u -> all.addAll(u.faults()));
        return all;
    }

    /**
     * Fires lazy-flush timers that are due now. The flush queues arm platform timers that fire by
     * themselves while the machine runs; this is for clocks without timers and for callers that
     * want the deadline checked at once. Returns how many domains flushed.
     */
    public int runTimers() {
        int n = 0;
        List<VtdDomain> ds;
        synchronized (this) {
            ds = List.copyOf(domains.values());
        }
        for (VtdDomain d : ds.stream().distinct().toList()) {
            if (d.runTimer()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Lazy-mode statistics summed over every lazy domain: flushes, and the window in which an
     * unmapped IOVA still translated (virtual ns from the unmap to the completed flush covering it).
     */
    public FlushQueue.Stats lazyStats() {
        long flushes = 0, full = 0, timeout = 0, queued = 0, freed = 0, max = 0, total = 0, min = Long.MAX_VALUE;
        List<VtdDomain> ds;
        synchronized (this) {
            ds = domains.values().stream().distinct().toList();
        }
        for (VtdDomain d : ds) {
            if (d.flushQueue() == null) {
                continue;
            }
            FlushQueue.Stats s = d.flushQueue().stats();
            flushes += s.flushes();
            full += s.fullFlushes();
            timeout += s.timeoutFlushes();
            queued += s.queued();
            freed += s.freed();
            max = Math.max(max, s.staleMaxNs());
            total += s.staleTotalNs();
            min = Math.min(min, s.staleMinNs());
        }
        return new FlushQueue.Stats(flushes, full, timeout, queued, freed, max, total, min);
    }

    /** Translation off on every unit; domains and tables are dropped with the kernel. */
    @Override
    public void close() {
        units.values().forEach(VtdUnitDriver::close);
    }
}
