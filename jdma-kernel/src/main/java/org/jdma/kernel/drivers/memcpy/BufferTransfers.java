package org.jdma.kernel.drivers.memcpy;

import java.util.ArrayDeque;
import java.util.function.Function;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.mm.DmaBuffer;

/**
 * The copy engine driver's buffer operations (copy, fill, compare): each maps its buffers with the
 * device's DMA API for the one transfer ({@code dma_map_single} in the direction the engine uses
 * them: sources TO_DEVICE, destinations FROM_DEVICE), runs one descriptor, and unmaps whatever the
 * outcome, as a Linux dmaengine client does. The mapping layer does the cache maintenance a
 * non-coherent machine needs (clean before, invalidate what the engine wrote after), and a checker
 * in front of it sees every byte the engine touches. A length of 0 still maps one byte: the engine
 * answers such a descriptor with XFER_ERANGE and touches nothing.
 *
 * <p>A descriptor that timed out or halted the engine is still in flight: the DMA layer refuses to
 * unmap its buffers ({@link DmaError.InUse}). Those unmaps are deferred and retried before the
 * next operation, after a reset and at removal, when the ring has let the descriptor go.
 */
final class BufferTransfers {

    private final DeviceDmaApi dma;
    private final String name;
    /** Runs one descriptor and waits for it. */
    private final Function<Descriptor, OpResult> execute;
    /** Unmaps refused while their descriptor was in flight, oldest first. */
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();

    private record Deferred(long dma, long size, DmaDirection direction) { }

    BufferTransfers(DeviceDmaApi dma, String name, Function<Descriptor, OpResult> execute) {
        this.dma = dma;
        this.name = name;
        this.execute = execute;
    }

    /** Copies {@code length} bytes from {@code src} to {@code dst} and waits for the result. */
    OpResult copy(DmaBuffer src, DmaBuffer dst, long length) {
        retryDeferred();
        checkLength(src, length, "source");
        checkLength(dst, length, "destination");
        long size = Math.max(length, 1);
        long s = map(src, size, DmaDirection.TO_DEVICE);
        try {
            long d = map(dst, size, DmaDirection.FROM_DEVICE);
            try {
                return execute.apply(Descriptor.memmove(s, d, length));
            } finally {
                unmap(d, size, DmaDirection.FROM_DEVICE);
            }
        } finally {
            unmap(s, size, DmaDirection.TO_DEVICE);
        }
    }

    /** Fills {@code length} bytes of {@code dst} with the 8-byte little-endian {@code pattern} and waits. */
    OpResult fill(DmaBuffer dst, long length, long pattern) {
        retryDeferred();
        checkLength(dst, length, "destination");
        long size = Math.max(length, 1);
        long d = map(dst, size, DmaDirection.FROM_DEVICE);
        try {
            return execute.apply(Descriptor.memfill(d, length, pattern));
        } finally {
            unmap(d, size, DmaDirection.FROM_DEVICE);
        }
    }

    /**
     * Compares {@code length} bytes of {@code first} and {@code second} and waits. The completion's
     * {@code result} is 1 when they differ, and {@code bytesCompleted} is then the offset of the
     * first difference.
     */
    OpResult compare(DmaBuffer first, DmaBuffer second, long length) {
        retryDeferred();
        checkLength(first, length, "first");
        checkLength(second, length, "second");
        long size = Math.max(length, 1);
        long f = map(first, size, DmaDirection.TO_DEVICE);
        try {
            long s = map(second, size, DmaDirection.TO_DEVICE);
            try {
                return execute.apply(Descriptor.compare(f, s, length));
            } finally {
                unmap(s, size, DmaDirection.TO_DEVICE);
            }
        } finally {
            unmap(f, size, DmaDirection.TO_DEVICE);
        }
    }

    /**
     * The device address of the first {@code size} bytes of {@code b} for one transfer (Linux
     * {@code dma_map_single}; the layer cleans the cache for the device on a non-coherent machine).
     *
     * @throws DmaException MappingFailed when no device address can be made (no IOVA or bounce space)
     */
    private long map(DmaBuffer b, long size, DmaDirection direction) {
        long a = dma.mapSingle(b.physicalAddress(), size, direction);
        if (dma.mappingError(a)) {
            throw new DmaException(new DmaError.MappingFailed(String.format("%s: %d bytes of %s %s", name, size, b, direction)));
        }
        return a;
    }

    /** Unmaps, or defers the unmap while the descriptor that names the buffer is still in flight. */
    private void unmap(long address, long size, DmaDirection direction) {
        try {
            dma.unmapSingle(address, size, direction);
        } catch (DmaException e) {
            if (!(e.error() instanceof DmaError.InUse)) {
                throw e;
            }
            deferred.add(new Deferred(address, size, direction));
        }
    }

    /** Retries the deferred unmaps; those still in use stay deferred. Returns how many are left. */
    int retryDeferred() {
        for (int i = deferred.size(); i > 0; i--) {
            Deferred u = deferred.poll();
            unmap(u.dma(), u.size(), u.direction());
        }
        return deferred.size();
    }

    private void checkLength(DmaBuffer b, long length, String what) {
        if (length < 0 || length > b.length()) {
            throw new IllegalArgumentException(String.format("%s buffer %s holds %d bytes; the operation asked for %d",
                    what, b, b.length(), length));
        }
    }

}
