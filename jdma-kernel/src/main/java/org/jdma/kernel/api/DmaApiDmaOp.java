package org.jdma.kernel.api;

import java.lang.invoke.VarHandle;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdma.kernel.dma.CoherentBuffer;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.platform.Cpu;

/**
 * The seed-004 API over the kernel's DMA-mapping layer: a {@link DmaOp} for one device, so the
 * containers get the layer's backends (direct, IOMMU, bounce), masks and checker.
 *
 * <p>One op per device: Linux's mapping calls all take a {@code struct device}, and the seed's
 * {@code DmaOp} has none, so the device is fixed here at construction. The device must be attached
 * to {@code api}. The layer serves the device's own masks; the {@code dmaMask} the seed passes with
 * each call is not used to change them ({@link DmaApi#setMask} may refuse a mask, and a container
 * has no way to undo it); {@link DeviceDma} still checks every result against its own mask, so
 * build it with {@link #deviceDma()} (the device's streaming mask) or a narrower one.
 *
 * <ul>
 * <li>allocCoherent: {@link DmaApi#allocCoherent} (the layer zeroes; the alignment asked for is
 *     checked by {@link DeviceDma}, the layer promising page alignment);</li>
 * <li>mapSingle / unmapSingle: {@link DmaApi#mapSingle} / {@link DmaApi#unmapSingle} with
 *     {@link DmaAttr#SKIP_CPU_SYNC} (the seed syncs only by explicit calls); a mapping error is
 *     {@link DmaError.NoMemory} (out of IOVA or bounce space; a retry can succeed);</li>
 * <li>prepareRead / confirmWrite of a streaming mapping: {@link DmaApi#syncSingleForCpu} /
 *     {@link DmaApi#syncSingleForDevice} of the sub-range (Linux
 *     {@code dma_sync_single_range_for_*}), which invalidate or clean and copy to or from the
 *     layer's bounce buffer; of coherent memory: the cache operations below (the truth table);</li>
 * <li>flush / invalidate / flushInvalidate: the CPU cache's clean / invalidate / clean+invalidate
 *     of the physical range, with seed 004's barriers.</li>
 * </ul>
 */
public final class DmaApiDmaOp implements DmaOp {

    private static final Set<DmaAttr> NO_SYNC = EnumSet.of(DmaAttr.SKIP_CPU_SYNC);

    private final DmaApi api;
    private final DmaDevice device;
    private final Cpu cpu;
    private final int pageSize;

    public DmaApiDmaOp(DmaApi api, DmaDevice device, Cpu cpu, int pageSize) {
        this.api = Objects.requireNonNull(api, "api");
        this.device = Objects.requireNonNull(device, "device");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** A {@link DeviceDma} with the device's current streaming mask over this op. */
    public DeviceDma deviceDma() {
        return new DeviceDma(device.dmaMask(), this);
    }

    public DmaDevice device() {
        return device;
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public Cpu cpu() {
        return cpu;
    }

    @Override
    public DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) throws DmaException {
        DmaDirection.requireMappable(direction);
        DmaLayout layout = new DmaLayout(size, align);
        long dma = api.mapSingle(device, addr, size, direction, NO_SYNC);
        if (api.mappingError(device, dma)) {
            throw new DmaException(new DmaError.NoMemory(String.format("a mapping of [%#x, +%#x) for %s", addr, size, device)));
        }
        return new DmaHandle.Mapped(addr, DmaAddr.of(dma), layout, direction, OptionalLong.empty());
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        api.unmapSingle(device, handle.dmaAddr().asLong(), handle.size(), handle.direction(), NO_SYNC);
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        // The layer has no empty allocations; an empty container still gets a unique address.
        CoherentBuffer b = api.allocCoherent(device, Math.max(layout.size(), 1));
        if (b == null) {
            return Optional.empty();
        }
        return Optional.of(new DmaHandle.Coherent(b.physical(), DmaAddr.of(b.dmaAddress()), layout));
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        api.freeCoherent(device, Math.max(handle.size(), 1), handle.cpuAddr(), handle.dmaAddr().asLong());
    }

    @Override
    public void flush(long addr, long size) {
        VarHandle.fullFence();
        cpu.cache().clean(addr, size);
    }

    @Override
    public void invalidate(long addr, long size) {
        cpu.cache().invalidate(addr, size);
        VarHandle.fullFence();
    }

    @Override
    public void flushInvalidate(long addr, long size) {
        VarHandle.fullFence();
        cpu.cache().cleanInvalidate(addr, size);
        VarHandle.fullFence();
    }

    @Override
    public void prepareRead(DmaHandle handle, long offset, long size, DmaDirection direction) {
        if (handle instanceof DmaHandle.Mapped m) {
            if (DmaDirection.requireMappable(direction).deviceWrites()) {
                api.syncSingleForCpu(device, m.dmaAddr().asLong() + offset, size, m.direction());
            }
        } else {
            DmaOp.super.prepareRead(handle, offset, size, direction);
        }
    }

    @Override
    public void confirmWrite(DmaHandle handle, long offset, long size, DmaDirection direction) {
        if (handle instanceof DmaHandle.Mapped m) {
            if (DmaDirection.requireMappable(direction).deviceReads()) {
                api.syncSingleForDevice(device, m.dmaAddr().asLong() + offset, size, m.direction());
            }
        } else {
            DmaOp.super.confirmWrite(handle, offset, size, direction);
        }
    }

    @Override
    public String toString() {
        return "DmaApiDmaOp[" + device + "]";
    }
}
