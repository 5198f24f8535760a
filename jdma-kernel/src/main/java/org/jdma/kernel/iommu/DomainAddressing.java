package org.jdma.kernel.iommu;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.jdma.kernel.engine.DeviceAddressing;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;

/**
 * {@link DeviceAddressing} through an {@link IommuDomain}: {@link #map} allocates IOVA space below
 * the device's limit, maps the buffer's whole frames read/write, and returns the IOVA of its first
 * byte; {@link #unmap} unmaps and frees (invalidating as the domain's type says).
 *
 * <p>Alignment: a power-of-two IOVA allocation is aligned to its size, so an alignment above one
 * page is met by allocating at least {@code align} bytes.
 */
public final class DomainAddressing implements DeviceAddressing {

    private final IommuDomain domain;
    private final long limit;
    private final Map<Long, Long> sizes = new HashMap<>();

    /**
     * @param limit the device's DMA mask: the highest IOVA it can emit
     */
    public DomainAddressing(IommuDomain domain, long limit) {
        this.domain = Objects.requireNonNull(domain, "domain");
        if (domain.type() != IommuDomain.Type.DMA_STRICT && domain.type() != IommuDomain.Type.DMA_LAZY) {
            throw new IllegalArgumentException("device addressing needs a DMA domain, not " + domain.type());
        }
        this.limit = limit;
    }

    public IommuDomain domain() {
        return domain;
    }

    @Override
    public synchronized long map(DmaBuffer buffer, long align) {
        long a = DeviceAddressing.effectiveAlignment(align);
        if (buffer.isFreed()) {
            throw new IllegalStateException("cannot map a freed buffer: " + buffer);
        }
        long g = domain.granule();
        long size = Math.max(g, (buffer.length() + g - 1) & -g);
        long allocation = a > g ? Math.max(size, a) : size;
        if (a > g && Long.bitCount(allocation) != 1) {
            allocation = Long.highestOneBit(allocation) << 1;
        }
        OptionalLong iova = IovaMapper.map(domain, buffer.physicalAddress(), size, allocation, limit, IoPermission.READ_WRITE);
        if (iova.isEmpty()) {
            throw new DmaException(new DmaError.MappingFailed(String.format(
                    "no IOVA space for %d bytes below %#x in domain %d", allocation, limit, domain.id())));
        }
        long v = iova.getAsLong();
        sizes.put(v, allocation);
        return v;
    }

    @Override
    public synchronized boolean unmap(long deviceAddress) {
        Long size = sizes.remove(deviceAddress);
        if (size == null) {
            return false;
        }
        domain.unmapAndFree(deviceAddress, size);
        return true;
    }

    @Override
    public boolean translates() {
        return true;
    }

    /** Live mappings made through this addressing. */
    public synchronized int mappings() {
        return sizes.size();
    }
}
