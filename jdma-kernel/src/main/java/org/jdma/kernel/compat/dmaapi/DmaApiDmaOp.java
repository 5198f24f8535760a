package org.jdma.kernel.compat.dmaapi;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jdma.kernel.dma.CoherentAllocation;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.platform.Cpu;

/**
 * The {@code dma-api} crate's {@code DmaOp} over the kernel's DMA API for one device: the
 * containers get the layer's backends (direct, IOMMU, bounce), masks and checker, and sit on the
 * DMA API's owning handles: a {@link CoherentAllocation} behind each {@link DArray} and
 * {@link DBox}, a {@link StreamingMapping} behind each {@link SArrayPtr}.
 *
 * <p>One op per device: Linux's mapping calls all take a {@code struct device}, and the crate's
 * {@code DmaOp} has none, so the device is the one {@link DeviceDmaApi} is bound to. The layer
 * serves the device's own masks; the mask the crate passes with each call is not used to change
 * them ({@link DeviceDmaApi#setMask} may refuse a mask, and a container has no way to undo it);
 * {@link DmaContainers} still checks every result against its own mask, so build it with
 * {@link #containers()} (the device's streaming mask) or a narrower one.
 *
 * <ul>
 * <li>allocCoherent: {@link DeviceDmaApi#allocCoherent} (the layer zeroes and, on a
 *     non-coherent machine, maps it uncached; the alignment asked for is checked by
 *     {@link DmaContainers}, the layer promising page alignment);</li>
 * <li>mapSingle / unmapSingle: {@link DeviceDmaApi#mapStreaming} with {@link DmaAttr#SKIP_CPU_SYNC}
 *     (the crate syncs only by explicit calls) and its close; a mapping error is
 *     {@link DmaError.NoMemory} (out of IOVA or bounce space; a retry can succeed);</li>
 * <li>prepareRead / confirmWrite of a streaming mapping: the handle's {@code syncForCpu} /
 *     {@code syncForDevice} of the sub-range (Linux {@code dma_sync_single_range_for_*}), which
 *     invalidate or clean and copy to or from the layer's bounce buffer; of coherent memory: the
 *     cache operations below (the crate's truth table);</li>
 * <li>flush / invalidate / flushInvalidate: the CPU cache's clean / invalidate / clean+invalidate
 *     of the physical range, with the crate's barriers.</li>
 * </ul>
 */
public final class DmaApiDmaOp implements DmaOp {

    private static final Set<DmaAttr> NO_SYNC = Set.of(DmaAttr.SKIP_CPU_SYNC);

    private final DeviceDmaApi dma;
    private final Cpu cpu;
    private final int pageSize;
    /** The DMA API handle behind each live crate handle; equal crate handles (the same mapping twice) queue up. */
    private final Map<DmaHandle, ArrayDeque<AutoCloseable>> handles = new HashMap<>();

    public DmaApiDmaOp(DeviceDmaApi dma, Cpu cpu, int pageSize) {
        this.dma = Objects.requireNonNull(dma, "dma");
        this.cpu = Objects.requireNonNull(cpu, "cpu");
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** Containers with the device's current streaming mask over this op. */
    public DmaContainers containers() {
        return new DmaContainers(dma.device().dmaMask(), this);
    }

    public DeviceDmaApi dma() {
        return dma;
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
    public DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) {
        DmaDirection.requireMappable(direction);
        DmaLayout layout = new DmaLayout(size, align);
        StreamingMapping m;
        try {
            m = dma.mapStreaming(addr, size, direction, NO_SYNC);
        } catch (DmaException e) {
            throw new DmaException(new DmaError.NoMemory(String.format("a mapping of [%#x, +%#x) for %s", addr, size, dma.device())));
        }
        DmaHandle.Mapped h = new DmaHandle.Mapped(addr, DmaAddr.of(m.dmaAddress()), layout, direction, OptionalLong.empty());
        track(h, m);
        return h;
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        close(untrack(handle), handle);
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        // The layer has no empty allocations; an empty container still gets a unique address.
        CoherentAllocation a;
        try {
            a = dma.allocCoherent(Math.max(layout.size(), 1));
        } catch (DmaException e) {
            return Optional.empty();
        }
        DmaHandle.Coherent h = new DmaHandle.Coherent(a.physical(), DmaAddr.of(a.dmaAddress()), layout);
        track(h, a);
        return Optional.of(h);
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        close(untrack(handle), handle);
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
                streaming(m).syncForCpu(offset, size);
            }
        } else {
            DmaOp.super.prepareRead(handle, offset, size, direction);
        }
    }

    @Override
    public void confirmWrite(DmaHandle handle, long offset, long size, DmaDirection direction) {
        if (handle instanceof DmaHandle.Mapped m) {
            if (DmaDirection.requireMappable(direction).deviceReads()) {
                streaming(m).syncForDevice(offset, size);
            }
        } else {
            DmaOp.super.confirmWrite(handle, offset, size, direction);
        }
    }

    private synchronized void track(DmaHandle h, AutoCloseable underlying) {
        handles.computeIfAbsent(h, k -> new ArrayDeque<>()).add(underlying);
    }

    private synchronized AutoCloseable untrack(DmaHandle h) {
        ArrayDeque<AutoCloseable> q = handles.get(h);
        if (q == null) {
            return null;
        }
        AutoCloseable c = q.poll();
        if (q.isEmpty()) {
            handles.remove(h);
        }
        return c;
    }

    private synchronized StreamingMapping streaming(DmaHandle.Mapped h) {
        ArrayDeque<AutoCloseable> q = handles.get(h);
        if (q == null || !(q.peek() instanceof StreamingMapping m)) {
            throw new IllegalArgumentException("sync of " + h.dmaAddr() + ": not a live mapping of this DmaOp");
        }
        return m;
    }

    private static void close(AutoCloseable c, DmaHandle h) {
        if (c == null) {
            throw new IllegalArgumentException("release of " + h.dmaAddr() + ": not live in this DmaOp (or released twice)");
        }
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("releasing " + h + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "DmaApiDmaOp[" + dma.device() + "]";
    }
}
