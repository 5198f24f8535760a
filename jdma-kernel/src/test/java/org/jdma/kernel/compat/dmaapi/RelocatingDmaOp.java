package org.jdma.kernel.compat.dmaapi;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.platform.Cpu;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;

/**
 * Test double (seed 004's {@code MaskedDma}): real memory from another op, but every handle claims
 * the device address {@code dmaAddr}, to drive DmaContainers's mask, alignment and segment checks.
 * Frees and unmaps go back to the real handles. {@link #noMemory} makes allocations fail.
 */
final class RelocatingDmaOp implements DmaOp {

    private final DmaOp inner;
    private final long dmaAddr;
    private final boolean noMemory;
    private final Map<DmaHandle, DmaHandle> real = new ConcurrentHashMap<>();

    RelocatingDmaOp(DmaOp inner, long dmaAddr) {
        this(inner, dmaAddr, false);
    }

    private RelocatingDmaOp(DmaOp inner, long dmaAddr, boolean noMemory) {
        this.inner = inner;
        this.dmaAddr = dmaAddr;
        this.noMemory = noMemory;
    }

    static RelocatingDmaOp noMemory(DmaOp inner) {
        return new RelocatingDmaOp(inner, 0, true);
    }

    @Override
    public int pageSize() {
        return inner.pageSize();
    }

    @Override
    public Cpu cpu() {
        return inner.cpu();
    }

    @Override
    public DmaHandle.Mapped mapSingle(DmaMask dmaMask, long addr, long size, long align, DmaDirection direction) throws DmaException {
        if (noMemory) {
            throw new DmaException(new DmaError.NoMemory("a test mapping"));
        }
        DmaHandle.Mapped h = inner.mapSingle(dmaMask, addr, size, align, direction);
        DmaHandle.Mapped moved = new DmaHandle.Mapped(h.cpuAddr(), DmaAddr.of(dmaAddr), h.layout(), h.direction(), h.bounceCpuAddr());
        real.put(moved, h);
        return moved;
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        inner.unmapSingle((DmaHandle.Mapped) real.remove(handle));
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        if (noMemory) {
            return Optional.empty();
        }
        return inner.allocCoherent(dmaMask, layout).map(h -> {
            DmaHandle.Coherent moved = new DmaHandle.Coherent(h.cpuAddr(), DmaAddr.of(dmaAddr), h.layout());
            real.put(moved, h);
            return moved;
        });
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        inner.deallocCoherent((DmaHandle.Coherent) real.remove(handle));
    }

    @Override
    public void flush(long addr, long size) {
        inner.flush(addr, size);
    }

    @Override
    public void invalidate(long addr, long size) {
        inner.invalidate(addr, size);
    }

    @Override
    public void flushInvalidate(long addr, long size) {
        inner.flushInvalidate(addr, size);
    }
}
