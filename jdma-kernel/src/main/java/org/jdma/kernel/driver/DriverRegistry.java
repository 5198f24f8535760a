package org.jdma.kernel.driver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dmaengine.DmaChannelAllocator;
import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.kernel.isadma.IsaDma;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.PciConfigLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * The kernel's driver core (Linux {@code drivers/base/dd.c}): binds registered drivers to devices
 * and keeps what is bound. {@link #bind} takes the drivers in registration order, as built-in
 * drivers register at boot, and for each one:
 * <ul>
 *   <li>a PCI match is tried against every function enumeration found, in requester-id order,
 *       that no driver holds yet;</li>
 *   <li>a legacy match creates the device it names: its ports, IRQ line and DMA channels are
 *       claimed for it first (Linux {@code request_region}), and a resource another legacy device
 *       holds fails the bind without a probe.</li>
 * </ul>
 * For each candidate it makes a {@link DriverContext} (a PCI device, or a legacy device with a DMA
 * channel, is attached to the DMA API first, as Linux sets up a device's DMA before its probe)
 * and calls {@link Driver#probe}. A probe that throws leaves the device unbound, its context
 * released, and a {@link ProbeFailure} naming driver, device and reason; the next driver that
 * matches may try it.
 *
 * <p>Legacy DMA: an ISA device's DMA reaches memory through the LPC bridge, with the bridge's
 * requester id (as on real chipsets, so the IOMMU sees one id for every legacy channel); its
 * {@link DmaDevice} carries that id. A legacy driver with a DMA channel on a machine whose
 * enumeration found no ISA bridge fails its bind.
 *
 * <p>Thread use: bind, unbind and reset on the thread that drives the machine; lookups anywhere
 * after boot.
 */
public final class DriverRegistry implements AutoCloseable {

    /** Class code of an ISA bridge (PCI Code and ID Assignment: base class 06, subclass 01), without the interface byte. */
    private static final int ISA_BRIDGE_CLASS = PciConfigLayout.CLASS_ISA_BRIDGE >>> 8;

    private final Platform platform;
    private final PciSubsystem pci;
    private final DmaApi dma;
    private final InterruptRouting routing;
    private final DmaChannelAllocator channels;
    private final List<Driver<?>> registered = new ArrayList<>();
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    private final Set<PciDevice> held = new HashSet<>();
    private final List<ProbeFailure> failures = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final LegacyClaims claims = new LegacyClaims();
    private final Map<String, Integer> nextInstance = new HashMap<>();

    private record Bound(BoundDevice device, DriverContext context) { }

    /** The ISA DMA API, set up when the first legacy driver with a DMA channel binds. */
    private IsaDma isaDma;

    private IsaDma isaDma() {
        if (isaDma == null) {
            isaDma = new IsaDma(platform.cpu());
        }
        return isaDma;
    }

    /** Which PCI functions are untrusted (their DmaDevice says so, and the mapping layer bounces for them). */
    private final java.util.function.Predicate<RequesterId> untrusted;

    private DriverRegistry(Platform platform, PciSubsystem pci, DmaApi dma, DmaChannelAllocator channels,
                           Function<RequesterId, Optional<InterruptRemapper>> remappers,
                           java.util.function.Predicate<RequesterId> untrusted) {
        this.untrusted = Objects.requireNonNull(untrusted, "untrusted");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.pci = Objects.requireNonNull(pci, "pci");
        this.dma = Objects.requireNonNull(dma, "dma");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.routing = new InterruptRouting(platform.interrupts(), platform.cpus().size(), Objects.requireNonNull(remappers, "remappers"));
    }

    /**
     * Binds {@code drivers}, in order, to the devices {@code pci} enumerated and to the legacy
     * devices they declare, each device's DMA going through {@code dma} (the kernel's DMA API: the
     * checker, when it runs one).
     *
     * @throws IllegalArgumentException when two drivers have the same name
     */
    public static DriverRegistry bind(Platform platform, PciSubsystem pci, DmaApi dma, List<? extends Driver<?>> drivers) {
        return bind(platform, pci, dma, new DmaChannelAllocator(), drivers);
    }

    /** As {@link #bind(Platform, PciSubsystem, DmaApi, List)}, DMA-engine drivers registering their channels with {@code channels}. */
    public static DriverRegistry bind(Platform platform, PciSubsystem pci, DmaApi dma, DmaChannelAllocator channels,
                                      List<? extends Driver<?>> drivers) {
        return bind(platform, pci, dma, channels, rid -> Optional.empty(), rid -> false, drivers);
    }

    /**
     * As {@link #bind(Platform, PciSubsystem, DmaApi, DmaChannelAllocator, List)}, each device's
     * MSI/MSI-X vectors remapped through {@code remappers} when it gives one for the device (the
     * IOMMU's interrupt remapping), and the functions {@code untrusted} names attached to the DMA
     * API as untrusted.
     */
    public static DriverRegistry bind(Platform platform, PciSubsystem pci, DmaApi dma, DmaChannelAllocator channels,
                                      Function<RequesterId, Optional<InterruptRemapper>> remappers,
                                      java.util.function.Predicate<RequesterId> untrusted,
                                      List<? extends Driver<?>> drivers) {
        DriverRegistry r = new DriverRegistry(platform, pci, dma, channels, remappers, untrusted);
        for (Driver<?> d : drivers) {
            r.register(d);
        }
        return r;
    }

    private void register(Driver<?> driver) {
        Objects.requireNonNull(driver, "driver");
        if (registered.stream().anyMatch(d -> d.name().equals(driver.name()))) {
            throw new IllegalArgumentException("driver '" + driver.name() + "' is registered already");
        }
        registered.add(driver);
        switch (driver.match()) {
            case DeviceMatch.Legacy l -> bindLegacy(driver, l.resources());
            case DeviceMatch m -> {
                for (PciDevice f : pci.devices()) {
                    DeviceInfo.Pci info = describe(f);
                    if (!held.contains(f) && m.matches(info)) {
                        bindPci(driver, f, info);
                    }
                }
            }
        }
    }

    private void bindPci(Driver<?> driver, PciDevice f, DeviceInfo.Pci info) {
        String name = instanceName(driver);
        DmaDevice dmaDevice = new DmaDevice(name, f.requester(), untrusted.test(f.requester()));
        dma.attach(dmaDevice);
        DriverContext ctx = new DriverContext(name, info, platform, routing, f, dma, dmaDevice, channels);
        if (probe(driver, name, info, ctx)) {
            held.add(f);
        }
    }

    private void bindLegacy(Driver<?> driver, LegacyResources resources) {
        String name = instanceName(driver);
        DeviceInfo.Legacy info = new DeviceInfo.Legacy(resources);
        Optional<String> conflict = claims.conflict(resources);
        if (conflict.isPresent()) {
            fail(driver, name, info, conflict.get(), null);
            return;
        }
        DmaDevice dmaDevice = null;
        if (!resources.dmaChannels().isEmpty()) {
            Optional<PciDevice> bridge = pci.devices().stream().filter(f -> f.classCode() >>> 8 == ISA_BRIDGE_CLASS).findFirst();
            if (bridge.isEmpty()) {
                fail(driver, name, info, "DMA channel " + resources.dmaChannels() + " declared, but enumeration found no ISA bridge "
                        + "to carry legacy DMA", null);
                return;
            }
            dmaDevice = new DmaDevice(name, bridge.get().requester(), false);
            dma.attach(dmaDevice);
        }
        claims.claim(name, resources);
        DriverContext ctx = new DriverContext(name, info, platform, routing, null, dma, dmaDevice, channels);
        if (dmaDevice != null) {
            ctx.isaDma(isaDma());
        }
        if (!probe(driver, name, info, ctx)) {
            claims.release(name);
        }
    }

    /** Probes; on failure releases the context, records why and gives the instance number back. */
    private boolean probe(Driver<?> driver, String name, DeviceInfo info, DriverContext ctx) {
        DriverInstance instance;
        try {
            instance = Objects.requireNonNull(driver.probe(ctx), () -> driver.name() + ".probe returned null");
        } catch (RuntimeException e) {
            try {
                ctx.release();
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            fail(driver, name, info, e.getMessage() != null ? e.getMessage() : e.toString(), e);
            return false;
        }
        bound.put(name, new Bound(new BoundDevice(name, info, driver.name(), instance), ctx));
        log.add(String.format("%s: %s bound to %s", name, info, driver.name()));
        return true;
    }

    private void fail(Driver<?> driver, String name, DeviceInfo info, String reason, Throwable cause) {
        ProbeFailure f = new ProbeFailure(driver.name(), name, info, reason, cause);
        failures.add(f);
        log.add(f.toString());
        nextInstance.merge(driver.name(), -1, Integer::sum);
    }

    private String instanceName(Driver<?> driver) {
        int n = nextInstance.merge(driver.name(), 1, Integer::sum) - 1;
        return driver.name() + n;
    }

    private static DeviceInfo.Pci describe(PciDevice f) {
        return new DeviceInfo.Pci(f.requester(), f.vendorId(), f.deviceId(), f.classCode(), f.revision());
    }

    // ---- lookups -------------------------------------------------------------------------------

    /** The bound devices, in the order they were bound. */
    public List<BoundDevice> devices() {
        return bound.values().stream().map(Bound::device).toList();
    }

    public Optional<BoundDevice> device(String name) {
        return Optional.ofNullable(bound.get(name)).map(Bound::device);
    }

    /** The bound instances of type {@code type}, in bind order. */
    public <T> List<T> drivers(Class<T> type) {
        return bound.values().stream().map(b -> b.device().instance()).filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * The first bound instance of type {@code type}.
     *
     * @throws NoSuchElementException naming the registered drivers and the failed probes
     */
    public <T> T driver(Class<T> type) {
        List<T> all = drivers(type);
        if (all.isEmpty()) {
            String reg = registered.stream().map(Object::toString).collect(Collectors.joining(", "));
            String why = failures.isEmpty() ? "" : "; " + failures.stream().map(Object::toString).collect(Collectors.joining("; "));
            throw new NoSuchElementException(String.format("no device is bound to a %s (registered: %s)%s",
                    type.getSimpleName(), reg.isEmpty() ? "none" : reg, why));
        }
        return all.getFirst();
    }

    /** The DMA channel allocator the drivers register their channels with. */
    public DmaChannelAllocator dmaChannels() {
        return channels;
    }

    /** The drivers given to {@link #bind}, in order. */
    public List<Driver<?>> registered() {
        return List.copyOf(registered);
    }

    /** Probes that did not bind, in order. */
    /**
     * Every interrupt vector a bound driver holds, by vector: owner, source, CPU and the
     * interrupts each CPU handled (Linux {@code /proc/interrupts}).
     */
    public List<InterruptAssignment> interrupts() {
        return routing.assignments();
    }

    /**
     * Sends the driver-held {@code vector} to CPU {@code cpu} from now on, whichever driver holds it
     * (Linux: writing {@code /proc/irq/N/smp_affinity_list}); the source's MSI-X entry, MSI
     * capability or I/O APIC entry is reprogrammed.
     *
     * @throws IllegalArgumentException when no driver holds the vector or the CPU does not exist
     */
    public void setIrqAffinity(int vector, int cpu) {
        routing.setAffinity(vector, cpu);
    }

    public List<ProbeFailure> failures() {
        return List.copyOf(failures);
    }

    /** What binding did, one line per bind, failure and unbind. */
    public List<String> log() {
        return List.copyOf(log);
    }

    // ---- life cycle ----------------------------------------------------------------------------

    /** Calls the driver's reset on device {@code name}. */
    public void reset(String name) {
        bound(name).device().instance().reset();
    }

    /**
     * Unbinds device {@code name}: its DMA channels withdrawn (a client holding one finds it gone),
     * the driver's remove, then the context's release (vectors, line, DMA attachment), even when
     * remove throws.
     */
    public void unbind(String name) {
        Bound b = bound(name);
        bound.remove(name);
        claims.release(name);
        held.removeIf(f -> b.device().device() instanceof DeviceInfo.Pci p && p.requester().equals(f.requester()));
        log.add(name + ": unbound from " + b.device().driver());
        b.context().withdrawDmaChannels("its device " + name + " was unbound from " + b.device().driver());
        try {
            b.device().instance().remove();
        } finally {
            b.context().release();
        }
    }

    private Bound bound(String name) {
        Bound b = bound.get(name);
        if (b == null) {
            throw new NoSuchElementException("no bound device is called '" + name + "' (bound: " + bound.keySet() + ")");
        }
        return b;
    }

    /** Unbinds every device, last bound first. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(bound.keySet());
        RuntimeException first = null;
        for (String n : names.reversed()) {
            try {
                unbind(n);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
