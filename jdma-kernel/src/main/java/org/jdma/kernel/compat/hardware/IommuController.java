package org.jdma.kernel.compat.hardware;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuSubsystem;
import org.jdma.kernel.iommu.IovaMapper;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.dma.DmaError;

/**
 * The {@code hardware} crate's {@code IommuController} ({@code src/iommu/controller.rs}) as a thin
 * facade over the kernel's VT-d driver, for the DMA of one device. A {@link DmaEngine} given one
 * maps {@code submitBuffer}'s buffers through it, as the crate's {@code submit_buffer} did through
 * its controller singleton; the alloc-IOVA, map, roll-back sequence is the generic IOMMU layer's
 * ({@link org.jdma.kernel.iommu.IovaMapper}).
 *
 * <p>The crate's window and limits are kept: IOVAs in [{@link #IOVA_BASE}, {@link #IOVA_LIMIT}), at
 * most {@link #MAX_MAPPINGS} live mappings, {@link #MAX_DOMAINS} domains. Its bugs are fixed:
 * <ul>
 *   <li>{@link #init} reads the unit's VER register; it is enabled only when the unit answers
 *       <em>and</em> the kernel translates for the device (the crate set enabled on any non-zero read
 *       and programmed nothing).</li>
 *   <li>{@link #allocIova} comes from the domain's IOVA allocator (top-down, size-aligned)
 *       inside the window; the <em>start</em> is aligned (the crate aligned the size).</li>
 *   <li>IOVA ranges are freed ({@link #freeIova}, {@link #unmapIova}); the crate's bump
 *       allocator never freed.</li>
 *   <li>{@link #translateIova} answers for every byte of a mapping from the unit's tables (the
 *       crate translated only the first 4 KiB).</li>
 *   <li>mapping slots are reused after unmap and nothing leaks on a failed map (the crate's
 *       count only grew, so the 65th lifetime map failed).</li>
 *   <li>domains are real VT-d domains with their own page tables and device attachment
 *       (the crate's were records with no mappings and no devices).</li>
 * </ul>
 *
 * <p>Thread-safe: every method is synchronized (concurrent allocations never overlap).
 */
public final class IommuController {

    /** The {@code hardware} crate {@code IOVA_BASE}: 4 GiB. */
    public static final long IOVA_BASE = 0x1_0000_0000L;
    /** The {@code hardware} crate {@code IOVA_LIMIT}: 8 GiB (exclusive). */
    public static final long IOVA_LIMIT = 0x2_0000_0000L;
    public static final long PAGE_SIZE = 4096;
    /** The {@code hardware} crate {@code MAX_MAPPINGS}: live mappings at once (slots are reused). */
    public static final int MAX_MAPPINGS = 64;
    /** The {@code hardware} crate {@code MAX_DOMAINS}. */
    public static final int MAX_DOMAINS = 16;

    /** A mapping: [iova, iova + length) of the buffer, inside an IOVA allocation of {@code allocated} bytes. */
    private record Mapping(long iova, long physical, long length, long allocated) { }

    /**
     * The {@code hardware} crate's {@code Domain} ({@code id}, {@code base}, {@code size}, {@code flags}), backed by a real
     * VT-d DMA domain. {@code base} and {@code size} are the IOVA window the creator asked for and are
     * kept as given; translation is whatever {@link #map} puts in the domain's tables.
     */
    public record Domain(int id, long base, long size, int flags, IommuDomain domain) { }

    private final Kernel kernel;
    private final RequesterId device;
    private final long registerBase;
    private final Map<Long, Mapping> mappings = new HashMap<>();
    private final List<Domain> domains = new ArrayList<>();
    private boolean enabled;

    private IommuController(Kernel kernel, RequesterId device, long registerBase) {
        this.kernel = kernel;
        this.device = device;
        this.registerBase = registerBase;
    }

    /**
     * The {@code hardware} crate's {@code probe}: finds the VT-d unit that covers {@code device} through the DMAR's
     * DRHDs (all of them, not only the first). Empty when the firmware has no DMAR or no
     * unit covers the device; the crate's SMMU fallback needs a device tree, which this machine has not.
     */
    public static Optional<IommuController> probe(Kernel kernel, RequesterId device) {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(device, "device");
        OptionalLong unit = kernel.iommu().unitOf(device);
        if (unit.isEmpty()) {
            unit = drhdBaseFromFirmware(kernel, device);
        }
        return unit.isPresent() ? Optional.of(new IommuController(kernel, device, unit.getAsLong())) : Optional.empty();
    }

    /** With the IOMMU off the subsystem has no units; the firmware still names the unit. */
    private static OptionalLong drhdBaseFromFirmware(Kernel kernel, RequesterId device) {
        Optional<byte[]> raw = kernel.platform().acpiTable("DMAR");
        if (raw.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            var table = org.jdma.kernel.acpi.DmarParser.parse(raw.get());
            return VtdIommuDriver.deviceLookup(table, kernel.pci()).unitFor(device)
                    .map(d -> OptionalLong.of(d.registerBase())).orElse(OptionalLong.empty());
        } catch (org.jdma.kernel.acpi.DmarParseException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The {@code hardware} crate's {@code init}: reads VER at the unit's base. 0 or 0xffffffff (nothing answers) → false.
     * Otherwise enabled, and true, only when the kernel's driver translates for the device: a unit
     * that answers but whose translation is off (kernel booted with the IOMMU off) is not enabled, so
     * an engine using this controller falls back to physical addresses instead of mapping into a
     * unit that would ignore the mapping. Enabling turns off the 32-bit-first IOVA
     * policy of the device's domain, so allocations come from the top of the crate's window.
     */
    public synchronized boolean init() {
        int ver = kernel.cpu().read32(registerBase + VtdRegisterLayout.VER);
        if (ver == 0 || ver == -1) {
            enabled = false;
            return false;
        }
        enabled = translatingDomain().isPresent();
        if (enabled) {
            // The crate's window lies above 4 GiB: drop Linux's 32-bit-first policy for this device
            // (iommu.forcedac), or every allocation would land below the window.
            VtdDomain.of(kernel.iommu(), device).ifPresent(VtdDomain::forceDac);
        }
        return enabled;
    }

    /** Whether {@link #init} found the unit answering and translating for the device. */
    public synchronized boolean isEnabled() {
        return enabled;
    }

    public long registerBase() {
        return registerBase;
    }

    public RequesterId device() {
        return device;
    }

    private Optional<IommuDomain> translatingDomain() {
        return kernel.iommu().domainOf(device).filter(d -> d.type() == IommuDomain.Type.DMA_STRICT
                || d.type() == IommuDomain.Type.DMA_LAZY);
    }

    private IommuDomain domain() {
        if (!enabled) {
            throw new IllegalStateException("IOMMU controller at " + String.format("%#x", registerBase)
                    + " is not enabled (init() returned false or was not called)");
        }
        return translatingDomain().orElseThrow(() -> new IllegalStateException(device + " has no DMA domain"));
    }

    /**
     * The {@code hardware} crate's {@code alloc_iova(size, align)}: {@code size} bytes (rounded up to pages) starting at
     * a multiple of {@code align} (0 = one page), inside [IOVA_BASE, IOVA_LIMIT). Empty when the window
     * has no room. Free it with {@link #freeIova}.
     *
     * @throws IllegalArgumentException when align is neither 0 nor a power of two, or size is not positive
     */
    public synchronized OptionalLong allocIova(long size, long align) {
        return allocIova(domain(), size, align);
    }

    /** Allocates {@code pow2(max(pages(size), align))} so the allocator's size alignment gives the start alignment. */
    private static OptionalLong allocIova(IommuDomain d, long size, long align) {
        long a = effectiveAlignment(align);
        if (size <= 0) {
            throw new IllegalArgumentException("IOVA size must be positive, was " + size);
        }
        long allocation = allocationFor(size, a);
        if (allocation > IOVA_LIMIT - IOVA_BASE) {
            return OptionalLong.empty();
        }
        OptionalLong iova = d.allocIova(allocation, IOVA_LIMIT - 1);
        if (iova.isPresent() && iova.getAsLong() < IOVA_BASE) {
            d.unmapAndFree(iova.getAsLong(), allocation); // below the crate's window: give it back
            return OptionalLong.empty();
        }
        return iova;
    }

    private static long allocationFor(long size, long align) {
        long pages = (size + PAGE_SIZE - 1) & -PAGE_SIZE;
        long need = Math.max(pages, align);
        return Long.bitCount(need) == 1 ? need : Long.highestOneBit(need) << 1;
    }

    /** Returns an {@link #allocIova} range (same size and align) that was never mapped. */
    public synchronized void freeIova(long iova, long size, long align) {
        domain().unmapAndFree(iova, allocationFor(size, effectiveAlignment(align)));
    }

    /**
     * The {@code hardware} crate's {@code map_dma_buffer(buf, align)}: an IOVA for all of {@code buffer}, programmed into
     * the device's domain (read and write). Empty when {@link #MAX_MAPPINGS} mappings are live or the
     * window is full; nothing is left allocated then.
     */
    public synchronized OptionalLong mapDmaBuffer(DmaBuffer buffer, long align) {
        IommuDomain d = domain();
        if (mappings.size() >= MAX_MAPPINGS) {
            return OptionalLong.empty();
        }
        long length = buffer.length();
        long alloc = allocationFor(Math.max(1, length), effectiveAlignment(align));
        OptionalLong iova = allocIova(d, Math.max(1, length), align);
        if (iova.isEmpty()) {
            return iova;
        }
        long v = iova.getAsLong();
        long mapped = (Math.max(1, length) + PAGE_SIZE - 1) & -PAGE_SIZE;
        IovaMapper.mapOrRelease(d, v, alloc, at -> d.map(at, buffer.physicalAddress(), mapped, IoPermission.READ_WRITE));
        mappings.put(v, new Mapping(v, buffer.physicalAddress(), length, alloc));
        return iova;
    }

    /**
     * The {@code hardware} crate's {@code unmap_iova}: true iff a mapping starting exactly at {@code iova} existed; its
     * translation is removed (strict: invalidated before this returns) and its IOVA range freed.
     */
    public synchronized boolean unmapIova(long iova) {
        Mapping m = mappings.remove(iova);
        if (m == null) {
            return false;
        }
        domain().unmapAndFree(m.iova(), m.allocated());
        return true;
    }

    /**
     * The {@code hardware} crate's {@code translate_iova}: the physical address for any byte of a live mapping, as the
     * domain's page tables say; empty outside every mapping (including one byte past its end).
     */
    public synchronized OptionalLong translateIova(long iova) {
        for (Mapping m : mappings.values()) {
            if (iova - m.iova() >= 0 && iova - m.iova() < m.length()) {
                return domain().translate(iova);
            }
        }
        return OptionalLong.empty();
    }

    /** Live mappings. */
    public synchronized int mappingCount() {
        return mappings.size();
    }

    // ---- what DmaEngine.submitBuffer calls ------------------------------------------------------

    /** {@link #mapDmaBuffer}, failing with the DMA API's exception. */
    public long map(DmaBuffer buffer, long align) {
        return mapDmaBuffer(buffer, align).orElseThrow(() -> new DmaException(new DmaError.MappingFailed(
                String.format("IOMMU controller: no IOVA for %s (%d mappings live, window [%#x, %#x))", buffer,
                        mappingCount(), IOVA_BASE, IOVA_LIMIT))));
    }

    /** Checks an alignment argument and turns 0 into one page (the crate: {@code align == 0} means 4096). */
    static long effectiveAlignment(long align) {
        if (align == 0) {
            return PAGE_SIZE;
        }
        if (align < 0 || Long.bitCount(align) != 1) {
            throw new IllegalArgumentException("alignment must be 0 or a power of two, was " + align);
        }
        return align;
    }

    // ---- domains (the {@code hardware} crate iommu::domain) ------------------------------------------------------

    /**
     * The {@code hardware} crate's {@code create_domain(base, size, flags)}: ids 0..15 in order; empty once 16 exist.
     * Each is a new translated VT-d domain on the unit (strict or lazy as the kernel runs), with no
     * device attached.
     */
    public synchronized Optional<Domain> createDomain(long base, long size, int flags) {
        if (domains.size() >= MAX_DOMAINS) {
            return Optional.empty();
        }
        IommuSubsystem iommu = kernel.iommu();
        IommuDomain real = iommu.createDomain(device, domain().type());
        Domain d = new Domain(domains.size(), base, size, flags, real);
        domains.add(d);
        return Optional.of(d);
    }

    /** The {@code hardware} crate's {@code domain_info(id)}. */
    public synchronized Optional<Domain> domainInfo(int id) {
        return id >= 0 && id < domains.size() ? Optional.of(domains.get(id)) : Optional.empty();
    }

    /** The {@code hardware} crate's {@code domain_count()}. */
    public synchronized int domainCount() {
        return domains.size();
    }

    /** Attaches {@code dev} to domain {@code id} (what the crate's docs promised and its code lacked). */
    public synchronized void attach(int id, RequesterId dev) {
        Domain d = domainInfo(id).orElseThrow(() -> new IllegalArgumentException("no domain " + id));
        kernel.iommu().attach(dev, d.domain());
    }
}
