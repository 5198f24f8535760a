package org.jdma.kernel.compat.dmaapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;
import org.jdma.platform.Cpu;

/**
 * A {@link DmaOp} that records every call it passes to another one, in order: the test double of
 * the {@code dma-api} crate's {@code TrackingDmaOp}, for driver authors' tests ("does my driver flush the
 * descriptor after writing it, and only that?").
 *
 * <pre>{@code
 * var ops = new RecordingDmaOp(new DirectDmaOp(kernel.memory()));
 * var dev = new DmaContainers(DmaMask.BITS_64, ops);
 * try (var a = dev.arrayZero(DmaType.INT, 4, DmaDirection.TO_DEVICE)) {
 *     ops.clear();
 *     a.set(2, 7);
 *     assertEquals(List.of(new RecordingDmaOp.Flush(addr + 8, 4)), ops.calls());
 * }
 * }</pre>
 *
 * <p>{@link #prepareRead} and {@link #confirmWrite} are the {@link DmaOp} defaults run here, so the
 * flushes, invalidates and bounce copies they imply are this recorder's own calls and are
 * recorded. That is why it refuses to wrap a {@link DmaApiDmaOp}, whose streaming syncs go through
 * the mapping layer (which bounces on its own): recording them as plain cache operations would skip
 * the layer. Thread-safe.
 */
public final class RecordingDmaOp implements DmaOp {

    /** One recorded call. Addresses are CPU (physical) addresses unless typed {@link DmaAddr}. */
    public sealed interface Call permits Flush, Invalidate, FlushInvalidate, MapSingle, UnmapSingle, AllocCoherent, DeallocCoherent { }

    public record Flush(long addr, long size) implements Call { }

    public record Invalidate(long addr, long size) implements Call { }

    public record FlushInvalidate(long addr, long size) implements Call { }

    /** A mapping request and the device address it got (null when it failed). */
    public record MapSingle(long addr, long size, long align, DmaDirection direction, DmaAddr result) implements Call { }

    public record UnmapSingle(DmaAddr dmaAddr, long size) implements Call { }

    /** An allocation request; {@code result} is null when the platform had no memory. */
    public record AllocCoherent(long size, long align, DmaAddr result) implements Call { }

    public record DeallocCoherent(DmaAddr dmaAddr, long size) implements Call { }

    private final DmaOp inner;
    private final List<Call> calls = new ArrayList<>();

    public RecordingDmaOp(DmaOp inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
        if (inner instanceof DmaApiDmaOp) {
            throw new IllegalArgumentException("RecordingDmaOp cannot wrap a DmaApiDmaOp: its streaming syncs go through the "
                    + "DMA-mapping layer, which the recorder's default syncs would bypass; use the mapping layer's checker instead");
        }
    }

    private void record(Call c) {
        synchronized (calls) {
            calls.add(c);
        }
    }

    /** Every call so far, oldest first. */
    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The calls of one kind, oldest first. */
    public <C extends Call> List<C> calls(Class<C> kind) {
        return calls().stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Only the cache operations (Flush, Invalidate, FlushInvalidate), oldest first. */
    public List<Call> cacheOps() {
        return calls().stream().filter(c -> c instanceof Flush || c instanceof Invalidate || c instanceof FlushInvalidate).toList();
    }

    public long countFlush() {
        return calls(Flush.class).size();
    }

    public long countInvalidate() {
        return calls(Invalidate.class).size();
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        synchronized (calls) {
            calls.clear();
        }
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
        DmaHandle.Mapped h;
        try {
            h = inner.mapSingle(dmaMask, addr, size, align, direction);
        } catch (RuntimeException e) {
            record(new MapSingle(addr, size, align, direction, null));
            throw e;
        }
        record(new MapSingle(addr, size, align, direction, h.dmaAddr()));
        return h;
    }

    @Override
    public void unmapSingle(DmaHandle.Mapped handle) {
        record(new UnmapSingle(handle.dmaAddr(), handle.size()));
        inner.unmapSingle(handle);
    }

    @Override
    public Optional<DmaHandle.Coherent> allocCoherent(DmaMask dmaMask, DmaLayout layout) {
        Optional<DmaHandle.Coherent> h = inner.allocCoherent(dmaMask, layout);
        record(new AllocCoherent(layout.size(), layout.align(), h.map(DmaHandle::dmaAddr).orElse(null)));
        return h;
    }

    @Override
    public void deallocCoherent(DmaHandle.Coherent handle) {
        record(new DeallocCoherent(handle.dmaAddr(), handle.size()));
        inner.deallocCoherent(handle);
    }

    @Override
    public void flush(long addr, long size) {
        record(new Flush(addr, size));
        inner.flush(addr, size);
    }

    @Override
    public void invalidate(long addr, long size) {
        record(new Invalidate(addr, size));
        inner.invalidate(addr, size);
    }

    @Override
    public void flushInvalidate(long addr, long size) {
        record(new FlushInvalidate(addr, size));
        inner.flushInvalidate(addr, size);
    }

    @Override
    public String toString() {
        return "RecordingDmaOp[" + inner + "]";
    }
}
