package org.jdma.kernel.compat.veridian;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.jdma.kernel.Kernel;
import org.jdma.platform.CacheMaintenance;
import org.jdma.platform.MemoryType;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.RemappingStructure;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DirectMap;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IoPermission;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IovaMapper;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.iommu.vtd.VtdIommuDriver;
import org.jdma.kernel.iommu.vtd.VtdUnitDriver;
import org.jdma.spec.acpi.DmarLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.kernel.mm.DmaMemory;

/**
 * VeridianOS's {@code iommu} module (VeridianOS {@code kernel/src/drivers/iommu.rs}) as a thin facade
 * over the kernel's DMAR parser and VT-d driver, managing the DMA buffers of one device. VeridianOS's
 * module statics ({@code IOMMU_INITIALIZED}, {@code DMAR_STATE}) are this object's state.
 *
 * <p>VeridianOS's stubs and bugs, fixed:
 * <ul>
 *   <li>{@link #parseDmar} is the kernel's parser: signature, length and checksum checked,
 *       every structure type with the right codes (VeridianOS had ANDD = 3), all DRHDs, all device
 *       scope path entries (VeridianOS kept 4).</li>
 *   <li>{@link #init} answers every later call with its first result (VeridianOS answered true
 *       after a failed first call) and keeps the units it initialised (VeridianOS discarded them).</li>
 *   <li>{@link #initIommuUnit} reads CAP and ECAP through MMIO (VeridianOS returned zeros).</li>
 *   <li>{@link #createIdentityDomain} is the unit's real identity domain, with the live root
 *       table behind it (VeridianOS zeroed one frame and programmed nothing).</li>
 *   <li>{@link #identityMapDma} and {@link #unmapDma} program the device's domain (VeridianOS's
 *       were no-ops): identity domain → IOVA == PA; translated domain → a 1:1 mapping that
 *       {@link #unmapDma} removes, after which the device faults there.</li>
 *   <li>{@link #allocDmaBuffer} maps with the direction's permission only, and
 *       {@link #freeDmaBuffer} frees the frames it allocated (VeridianOS recovered them from the DMA
 *       address, right only under identity mapping).</li>
 * </ul>
 */
public final class VeridianIommu {

    /** VeridianOS {@code DMAR_HEADER_SIZE}: 36-byte SDT header + HAW + flags + 10 reserved bytes. */
    public static final int DMAR_HEADER_SIZE = DmarLayout.STRUCTURES;
    public static final long PAGE_SIZE = 4096;

    private final Kernel kernel;
    private final RequesterId device;
    private final List<IommuUnit> units = new ArrayList<>();
    private final Map<Long, DmaBuffer> buffers = new HashMap<>();
    /** 1:1 ranges {@link #identityMapDma} made in a translated domain: base → size. Their IOVAs stay reserved. */
    private final Map<Long, Long> identityRanges = new HashMap<>();
    private boolean initialized;
    private boolean initResult;
    private DmarInfo dmar;

    /** A facade for the DMA of {@code device} on a booted kernel. */
    public VeridianIommu(Kernel kernel, RequesterId device) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.device = Objects.requireNonNull(device, "device");
    }

    /**
     * VeridianOS's {@code parse_dmar}: the kernel's DMAR parser, strict.
     *
     * @throws DmarParseException naming the offset and field, e.g. for a table shorter than
     *         {@link #DMAR_HEADER_SIZE} bytes
     */
    public static DmarInfo parseDmar(byte[] table) throws DmarParseException {
        return new DmarInfo(DmarParser.parse(table));
    }

    /**
     * VeridianOS's {@code init}: parses the firmware's DMAR and initialises every DRHD's unit. No DMAR,
     * or a DMAR that does not parse → false; success → true. Initialised either way; a second call
     * returns the first call's answer and does nothing.
     */
    public synchronized boolean init() {
        if (initialized) {
            return initResult;
        }
        initialized = true;
        Optional<byte[]> raw = kernel.platform().acpiTable(DmarLayout.SIGNATURE);
        if (raw.isEmpty()) {
            return initResult = false;
        }
        try {
            dmar = parseDmar(raw.get());
        } catch (DmarParseException e) {
            return initResult = false;
        }
        for (RemappingStructure.Drhd d : dmar.drhdUnits()) {
            try {
                units.add(initIommuUnit(d));
            } catch (IllegalStateException e) {
                // A unit that does not answer is left out, as Linux goes on without it.
            }
        }
        return initResult = true;
    }

    public synchronized boolean isInitialized() {
        return initialized;
    }

    /** VeridianOS's {@code with_dmar_info}: empty until a DMAR has been parsed by {@link #init}. */
    public synchronized <R> Optional<R> withDmarInfo(Function<DmarInfo, R> f) {
        return dmar == null ? Optional.empty() : Optional.ofNullable(f.apply(dmar));
    }

    /** The units {@link #init} initialised (VeridianOS threw them away). */
    public synchronized List<IommuUnit> units() {
        return List.copyOf(units);
    }

    /**
     * VeridianOS's {@code init_iommu_unit}: reads the unit's CAP (0x08) and ECAP (0x10) registers.
     *
     * @throws IllegalStateException when nothing answers at the register base (VER reads 0 or all ones)
     */
    public IommuUnit initIommuUnit(RemappingStructure.Drhd drhd) {
        long base = drhd.registerBase();
        int ver = kernel.cpu().read32(base + VtdRegisterLayout.VER);
        if (ver == 0 || ver == -1) {
            throw new IllegalStateException(String.format("no remapping unit answers at %#x (VER reads %#x)", base, ver));
        }
        return new IommuUnit(base, drhd.segment(), kernel.cpu().read64(base + VtdRegisterLayout.CAP),
                kernel.cpu().read64(base + VtdRegisterLayout.ECAP), drhd.includePciAll());
    }

    /** What {@link #createIdentityDomain} made: the domain, and the root table the unit walks. */
    public record IdentityDomain(IommuDomain domain, long rootTable) { }

    /**
     * VeridianOS's {@code create_identity_domain}: attaches the device to its unit's identity domain
     * (pass-through when ECAP.PT, else 1:1 tables over RAM and RMRRs) and returns it with the
     * physical address of the unit's root table (4 KiB aligned, 256 16-byte entries).
     *
     * <p>The device leaves its previous domain: IOVAs mapped there (a driver's descriptor ring
     * included) mean nothing to it afterwards, so call this before a driver maps anything, as Linux
     * chooses a device's default domain before its driver probes.
     *
     * @throws IllegalStateException when no enabled unit translates for the device (IOMMU off)
     */
    public IdentityDomain createIdentityDomain() {
        VtdUnitDriver unit = kernel.iommu().driver(VtdIommuDriver.class).flatMap(d -> d.unitDriverOf(device))
                .orElseThrow(() -> new IllegalStateException("no enabled remapping unit covers " + device + " (is the IOMMU on?)"));
        IommuDomain identity = kernel.iommu().createDomain(device, IommuDomain.Type.IDENTITY);
        kernel.iommu().attach(device, identity);
        return new IdentityDomain(identity, unit.rootTable());
    }

    private Optional<IommuDomain> domain() {
        return kernel.iommu().domainOf(device);
    }

    /**
     * VeridianOS's {@code identity_map_dma(phys, size)}: makes [phys, phys + size) reachable by the
     * device at the same address and returns {@code phys}. Without remapping, or in the identity
     * domain, that is already so; in a translated domain the pages are mapped 1:1 (read and write)
     * and their IOVA range is reserved.
     */
    public long identityMapDma(long phys, long size) {
        Optional<IommuDomain> d = domain();
        if (d.isEmpty() || d.get().type() == IommuDomain.Type.IDENTITY) {
            return phys;
        }
        if (d.get().type() == IommuDomain.Type.BLOCKED) {
            throw new IllegalStateException(device + " is in a blocked domain: nothing can be mapped for it");
        }
        long lo = phys & -PAGE_SIZE;
        long hi = (phys + size + PAGE_SIZE - 1) & -PAGE_SIZE;
        VtdDomain vd = (VtdDomain) d.get();
        synchronized (this) {
            vd.iovaAllocator().reserve(lo / PAGE_SIZE, hi / PAGE_SIZE - 1);
            vd.map(lo, lo, hi - lo, IoPermission.READ_WRITE);
            identityRanges.put(lo, hi - lo);
        }
        return phys;
    }

    /**
     * VeridianOS's {@code unmap_dma(dma_addr, size)}: nothing to do without remapping or in the
     * identity domain; in a translated domain the translations are removed (and invalidated: a
     * later device access faults) and the IOVA range is given back.
     */
    public void unmapDma(long dmaAddr, long size) {
        Optional<IommuDomain> d = domain();
        if (d.isEmpty() || d.get().type() == IommuDomain.Type.IDENTITY || d.get().type() == IommuDomain.Type.BLOCKED) {
            return;
        }
        long lo = dmaAddr & -PAGE_SIZE;
        long hi = (dmaAddr + size + PAGE_SIZE - 1) & -PAGE_SIZE;
        Long identity;
        synchronized (this) {
            identity = identityRanges.remove(lo);
        }
        if (identity == null) {
            d.get().unmapAndFree(lo, hi - lo);
            return;
        }
        // A 1:1 range: its IOVAs are reserved, not allocated, so they are not freed. Clear the PTEs,
        // invalidate (strictly, whatever the domain's mode), then free emptied table pages.
        VtdDomain vd = (VtdDomain) d.get();
        synchronized (vd) {
            List<Long> tablePages = vd.pageTable().unmap(lo, identity);
            vd.unit().invalidateIotlbPages(vd.id(), lo, identity / PAGE_SIZE);
            tablePages.forEach(vd.unit().memory()::freePage);
        }
    }

    /**
     * VeridianOS's {@code alloc_dma_buffer(size, direction)}: whole zeroed frames (size rounded up to
     * 4096) and a device address: the physical address without remapping or in the identity domain,
     * else a fresh IOVA mapped with the direction's permission only (TO_DEVICE: the device may only
     * read it). Labelled with what the machine does: COHERENT where DMA snoops the CPU cache (x86),
     * NON_COHERENT where it does not, so the owner must {@link #syncForDevice} and {@link #syncForCpu}.
     *
     * @throws IllegalArgumentException when size is not positive or direction is NONE
     */
    public synchronized DmaMappedBuffer allocDmaBuffer(long size, DmaDirection direction) {
        return allocDmaBuffer(size, direction, cache().coherent() ? DmaCoherency.COHERENT : DmaCoherency.NON_COHERENT);
    }

    /**
     * As {@link #allocDmaBuffer(long, DmaDirection)} with the cache policy asked for, which then
     * decides the memory type and the maintenance:
     * <ul>
     *   <li>WRITE_COMBINING is mapped {@link MemoryType#WRITE_COMBINING} on either machine (x86
     *       {@code ioremap_wc}, arm64 Normal-NC): the CPU never caches it, so it needs no clean and
     *       no invalidate, but its stores wait in write-combining buffers no device snoops, so
     *       {@link #syncForDevice} is a write barrier;</li>
     *   <li>COHERENT is mapped uncached on a non-coherent machine (as arm64 maps
     *       {@code dma_alloc_coherent} memory) and needs nothing;</li>
     *   <li>NON_COHERENT stays cached and needs {@link #syncForDevice}/{@link #syncForCpu}; on a
     *       coherent machine those do nothing.</li>
     * </ul>
     */
    public synchronized DmaMappedBuffer allocDmaBuffer(long size, DmaDirection direction, DmaCoherency coherency) {
        Objects.requireNonNull(coherency, "coherency");
        DmaMappedBuffer mapped = allocFrames(size, direction, coherency);
        MemoryType type = memoryTypeFor(coherency);
        if (type != MemoryType.WRITE_BACK) {
            cache().memoryType(mapped.physAddr(), mapped.size(), type);
        }
        return mapped;
    }

    /** The CPU mapping a buffer of {@code coherency} gets on this machine. */
    private MemoryType memoryTypeFor(DmaCoherency coherency) {
        return switch (coherency) {
            case WRITE_COMBINING -> MemoryType.WRITE_COMBINING;
            case COHERENT -> cache().coherent() ? MemoryType.WRITE_BACK : MemoryType.UNCACHED;
            case NON_COHERENT -> MemoryType.WRITE_BACK;
        };
    }

    /**
     * Gives {@code buffer} to the device. A NON_COHERENT buffer's dirty lines are written back to
     * memory (arm64 {@code dcache_clean_poc}), so the device reads what the CPU wrote. A
     * WRITE_COMBINING buffer has no line to write back, but stores still in the CPU's
     * write-combining buffers are not in memory yet: a write barrier ({@code wmb()}) drains them.
     * Nothing for COHERENT buffers.
     */
    public void syncForDevice(DmaMappedBuffer buffer) {
        switch (buffer.coherency()) {
            case NON_COHERENT -> {
                if (!cache().coherent()) {
                    cache().clean(buffer.physAddr(), buffer.size());
                }
            }
            case WRITE_COMBINING -> cache().writeBarrier();
            case COHERENT -> { }
        }
    }

    /**
     * Gives {@code buffer} back to the CPU: a NON_COHERENT buffer the device may have written
     * (FROM_DEVICE, BIDIRECTIONAL) has its lines dropped, so CPU loads see what the device wrote and
     * not a stale cached copy. The buffer is whole pages, so no line holds anyone else's bytes.
     * Nothing for COHERENT and WRITE_COMBINING buffers: CPU loads of them read memory.
     */
    public void syncForCpu(DmaMappedBuffer buffer) {
        if (buffer.coherency() == DmaCoherency.NON_COHERENT && !cache().coherent()
                && buffer.direction() != DmaDirection.TO_DEVICE) {
            cache().invalidate(buffer.physAddr(), buffer.size());
        }
    }

    private CacheMaintenance cache() {
        return kernel.cpu().cache();
    }

    private DmaMappedBuffer allocFrames(long size, DmaDirection direction, DmaCoherency coherency) {
        if (size <= 0) {
            throw new IllegalArgumentException("DMA buffer size must be positive, was " + size);
        }
        IoPermission permission = direction.iommuPermission();
        long rounded = (size + PAGE_SIZE - 1) & -PAGE_SIZE;
        DmaBuffer b = kernel.memory().allocate(rounded, PAGE_SIZE, DmaMemory.NO_LIMIT);
        long dma;
        Optional<IommuDomain> d = domain();
        if (d.isEmpty() || d.get().type() == IommuDomain.Type.IDENTITY) {
            dma = b.physicalAddress();
        } else {
            OptionalLong iova;
            try {
                iova = IovaMapper.map(d.get(), b.physicalAddress(), rounded, rounded, -1L, permission);
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
            if (iova.isEmpty()) {
                b.close();
                throw new IllegalStateException("no IOVA space for " + rounded + " bytes for " + device);
            }
            dma = iova.getAsLong();
        }
        buffers.put(dma, b);
        return new DmaMappedBuffer(DirectMap.virtualOf(b.physicalAddress()), dma, b.physicalAddress(), rounded,
                coherency, direction);
    }

    /**
     * VeridianOS's {@code free_dma_buffer}: unmaps the device address (so the device faults there from
     * now on) and returns the frames.
     *
     * @throws IllegalArgumentException when {@code buffer} did not come from this facade or was freed
     */
    public synchronized void freeDmaBuffer(DmaMappedBuffer buffer) {
        DmaBuffer b = buffers.get(buffer.dmaAddr());
        if (b == null || b.physicalAddress() != buffer.physAddr()) {
            throw new IllegalArgumentException(buffer + " was not allocated here or is already freed");
        }
        buffers.remove(buffer.dmaAddr());
        if (buffer.dmaAddr() != buffer.physAddr() || domain().map(d -> d.type() != IommuDomain.Type.IDENTITY).orElse(false)) {
            unmapDma(buffer.dmaAddr(), buffer.size());
        }
        if (memoryTypeFor(buffer.coherency()) != MemoryType.WRITE_BACK) {
            cache().memoryType(buffer.physAddr(), buffer.size(), MemoryType.WRITE_BACK); // drains WC buffers first
        }
        b.close();
    }
}
