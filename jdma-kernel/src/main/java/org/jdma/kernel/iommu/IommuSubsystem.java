package org.jdma.kernel.iommu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdma.kernel.iommu.IommuDriver.ReservedRegion;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.RequesterId;

/**
 * The kernel's generic IOMMU layer (Linux {@code drivers/iommu/iommu.c}: default domains, attach,
 * fault reporting): brings up the hardware through the {@link IommuDriver.Probe} the boot code
 * hands it, gives every PCI endpoint a unit covers a default domain of the configured
 * {@link IommuMode} (a DMA domain of its own, or the unit's shared identity domain), identity-maps
 * each device's reserved regions in its domain, and only then has the driver enable translation.
 * It knows the hardware only through {@link IommuDriver} and {@link IommuDomain}; the VT-d driver
 * is one such driver ({@code iommu.vtd}).
 *
 * <p>In {@link IommuMode#OFF} the driver is not even probed: units stay untouched, translation stays
 * off, and {@link #domainOf} is empty for every device. Problems that leave devices untranslated
 * (no firmware table, a unit that does not answer) are collected in {@link #problems()} rather
 * than thrown, as Linux logs and goes on without remapping.
 */
public final class IommuSubsystem implements Iommu, AutoCloseable {

    /**
     * @param mode           how to use the units
     * @param iovaAllocators makes one IOVA allocator (granule 4096) per DMA domain; null: the
     *                       cached allocator with a magazine per CPU of the platform
     *                       ({@link CachedIovaAllocator#perCpu(Platform)}, Linux's default)
     * @param interruptRemapping remap interrupts on every unit that offers it (Linux {@code intremap=on},
     *                       its default); never in mode OFF, which leaves the units alone
     * @param untrusted      devices that are untrusted (behind an external-facing port, Linux
     *                       {@code pci_dev->untrusted}): in mode LAZY their default domain is strict
     *                       all the same (Linux {@code iommu_dma_init_domain} gives them no flush queue)
     */
    public record Config(IommuMode mode, Supplier<IovaAllocator> iovaAllocators, boolean interruptRemapping,
                         Set<RequesterId> untrusted) {
        public Config {
            Objects.requireNonNull(mode, "mode");
            untrusted = Set.copyOf(Objects.requireNonNull(untrusted, "untrusted"));
        }

        /** Interrupt remapping where the hardware has it; no untrusted device. */
        public Config(IommuMode mode, Supplier<IovaAllocator> iovaAllocators) {
            this(mode, iovaAllocators, true, Set.of());
        }

        public Config(IommuMode mode) {
            this(mode, null);
        }

        public static Config off() {
            return new Config(IommuMode.OFF, null);
        }
    }

    private final Config config;
    private final Supplier<IovaAllocator> iovaAllocators;
    private final List<String> problems = new ArrayList<>();
    private final List<String> bootLog = new ArrayList<>();
    private final Map<RequesterId, IommuDomain> domains = new LinkedHashMap<>();
    private final List<IommuFaultListener> listeners = new ArrayList<>();
    /** The hardware driver, once probed and found; null in mode OFF or when no IOMMU was found. */
    private IommuDriver driver;

    private IommuSubsystem(Config config, Platform platform) {
        this.config = config;
        this.iovaAllocators = config.iovaAllocators() != null ? config.iovaAllocators() : () -> CachedIovaAllocator.perCpu(platform);
    }

    /**
     * Brings the IOMMU up as {@code config} says, for the devices {@code pci} enumerated, with the
     * hardware {@code probe} finds. See the class comment.
     */
    public static IommuSubsystem init(Platform platform, PciSubsystem pci, FrameAllocator frames, Config config,
                                      IommuDriver.Probe probe) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(pci, "pci");
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(probe, "probe");
        IommuSubsystem s = new IommuSubsystem(Objects.requireNonNull(config, "config"), platform);
        if (config.mode() != IommuMode.OFF) {
            s.bringUp(new IommuDriver.Boot(platform, pci, frames, s.bootLog::add, s.problems::add, s::dispatchFault,
                    config.interruptRemapping()), probe);
        }
        return s;
    }

    private void bringUp(IommuDriver.Boot boot, IommuDriver.Probe probe) {
        driver = probe.probe(boot).orElse(null);
        if (driver == null) {
            return;
        }
        for (PciDevice f : boot.pci().endpoints()) {
            OptionalLong unit = driver.unitOf(f.requester());
            if (unit.isPresent()) {
                attachDefaultDomain(f.requester(), unit.getAsLong());
            }
        }
        // Only now, with every reserved region mapped, may the units start translating (VT-d spec §8.4).
        driver.enableTranslation();
    }

    /** Linux {@code iommu_setup_default_domain}: the mode's domain type, its reserved regions mapped, then attach. */
    private void attachDefaultDomain(RequesterId rid, long unit) {
        IommuDomain d = newDefaultDomain(rid, bootLog::add);
        bootLog.add(String.format("%s: %s: attached to %s domain %d on unit %#x", driver.name(), rid, d.type(), d.id(), unit));
    }

    /** A domain of the mode's type for {@code rid}, its reserved regions mapped (each logged to {@code log}), attached. */
    private IommuDomain newDefaultDomain(RequesterId rid, Consumer<String> log) {
        IommuDomain d = createDomain(rid, switch (config.mode()) {
            case STRICT -> IommuDomain.Type.DMA_STRICT;
            // An untrusted device gets strict invalidation whatever the mode: no stale-IOVA window.
            case LAZY -> config.untrusted().contains(rid) ? IommuDomain.Type.DMA_STRICT : IommuDomain.Type.DMA_LAZY;
            case IDENTITY -> IommuDomain.Type.IDENTITY;
            case OFF -> throw new IllegalStateException("no domains in mode OFF");
        });
        for (ReservedRegion r : driver.reservedRegions(rid)) {
            d.reserveAndMapIdentity(r.base(), r.length());
            log.accept(String.format("%s: %s: %s [%#x-%#x] identity-mapped in %s domain %d",
                    driver.name(), rid, r.source(), r.base(), r.last(), d.type(), d.id()));
        }
        d.attach(rid);
        domains.put(rid, d);
        return d;
    }

    /**
     * Gives {@code device} a new default domain, as boot gave it one, and frees the domain it had
     * (Linux {@code iommu_setup_default_domain} when the group's sysfs {@code type} is written,
     * which needs the group to have no driver bound): a fresh IOVA space, no cached IOVAs, an
     * empty flush queue, the reserved regions mapped again. Whoever used the device before leaves
     * nothing that changes which IOVAs the next user gets. An identity domain holds no such state
     * (no IOVA space, no queue): the device keeps it. A domain other devices still use is not freed.
     *
     * <p>Unlike Linux, the old domain is freed before the new one is allocated, so its frames are
     * back before the new tables take theirs: every call leaves the frame allocator in the same
     * state. In between, the device's context entry is not present (its DMA would fault).
     *
     * <p>The caller makes sure no DMA of the device is live: it is detached from the DMA API (as
     * Linux needs the driver unbound). Used by harnesses that run independent workloads one after
     * another on one kernel (the DMA-API fuzz target).
     *
     * @return the device's new domain (the same one for an identity domain)
     * @throws IllegalArgumentException when the device has no domain (mode OFF, or no unit covers it)
     */
    public synchronized IommuDomain replaceDefaultDomain(RequesterId device) {
        Objects.requireNonNull(device, "device");
        IommuDomain old = domains.get(device);
        if (old == null) {
            throw new IllegalArgumentException(String.format("%s has no IOMMU domain to replace (mode %s)", device, config.mode()));
        }
        if (old.type() == IommuDomain.Type.IDENTITY) {
            return old;
        }
        old.detach(device);
        domains.remove(device);
        if (!domains.containsValue(old)) {
            old.free();
        }
        return newDefaultDomain(device, line -> { });
    }

    /** The unit that translates {@code device} (its register base), if an enabled one does. */
    public OptionalLong unitOf(RequesterId device) {
        return driver == null ? OptionalLong.empty() : driver.unitOf(device);
    }

    private long requireUnit(RequesterId device) {
        return unitOf(device).orElseThrow(() -> new IllegalArgumentException("no enabled remapping unit covers " + device));
    }

    /** The interrupt remapper for {@code device}'s vectors, when its unit remaps interrupts. */
    public Optional<InterruptRemapper> interruptRemapper(RequesterId device) {
        return driver == null ? Optional.empty() : driver.interruptRemapper(device);
    }

    /** The hardware driver, when it is a {@code type} (for what only that driver knows, such as its units). */
    public <D extends IommuDriver> Optional<D> driver(Class<D> type) {
        return Optional.ofNullable(driver).filter(type::isInstance).map(type::cast);
    }

    @Override
    public synchronized Optional<IommuDomain> domainOf(RequesterId device) {
        return Optional.ofNullable(domains.get(device));
    }

    /**
     * A new domain of {@code type} on the unit that covers {@code device} (not attached yet).
     * DMA domains get a fresh IOVA allocator from the configuration; IDENTITY is the unit's shared
     * identity domain.
     *
     * @throws IllegalArgumentException when no enabled unit covers {@code device}
     */
    public IommuDomain createDomain(RequesterId device, IommuDomain.Type type) {
        requireUnit(device);
        boolean dma = type == IommuDomain.Type.DMA_STRICT || type == IommuDomain.Type.DMA_LAZY;
        return driver.allocDomain(device, type, dma ? iovaAllocators.get() : null);
    }

    /**
     * Moves {@code device} into {@code domain} (detaching it from its current one), mapping its
     * reserved regions there first. Returns the previous domain, if any.
     *
     * @throws IllegalArgumentException when no enabled unit covers {@code device}, or the domain is
     *         another unit's (naming both)
     */
    public synchronized Optional<IommuDomain> attach(RequesterId device, IommuDomain domain) {
        long unit = requireUnit(device);
        long domainUnit = driver.unitOf(domain);
        if (unit != domainUnit) {
            throw new IllegalArgumentException(String.format("%s is behind unit %#x; domain %d belongs to unit %#x",
                    device, unit, domain.id(), domainUnit));
        }
        for (ReservedRegion r : driver.reservedRegions(device)) {
            domain.reserveAndMapIdentity(r.base(), r.length());
        }
        IommuDomain old = domains.get(device);
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
        return driver != null && driver.enabled();
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
        return driver == null ? List.of() : driver.faults();
    }

    /**
     * Fires lazy-flush timers that are due now. The flush queues arm platform timers that fire by
     * themselves while the machine runs; this is for clocks without timers and for callers that
     * want the deadline checked at once. Returns how many domains flushed.
     */
    public int runTimers() {
        int n = 0;
        List<IommuDomain> ds;
        synchronized (this) {
            ds = List.copyOf(domains.values());
        }
        for (IommuDomain d : ds.stream().distinct().toList()) {
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
        List<IommuDomain> ds;
        synchronized (this) {
            ds = domains.values().stream().distinct().toList();
        }
        for (IommuDomain d : ds) {
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
        if (driver != null) {
            driver.close();
        }
    }
}
