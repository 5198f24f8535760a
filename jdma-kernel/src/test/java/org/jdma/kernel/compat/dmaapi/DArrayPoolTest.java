package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.jdma.kernel.dma.DmaDirection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.dma.DmaException;

/** Row 98: the pool pre-allocates, falls back to fresh allocations, and takes closed arrays back. */
class DArrayPoolTest {

    private final ApiFixture f = new ApiFixture();
    private final DmaContainers dev = f.device(0xFFFF_FFFFL);

    @AfterEach
    void tearDown() {
        assertEquals(0, f.direct.liveCoherent(), "pool and arrays freed everything");
        assertEquals(0, f.leakedFrames());
        f.close();
    }

    @Test
    void shouldPreallocateCapArrays() throws DmaException {
        try (DArrayPool<Byte> pool = dev.newPool(DmaType.BYTE, 1536, 64, DmaDirection.FROM_DEVICE, 4)) {
            assertEquals(4, pool.idle());
            assertEquals(4, f.ops.calls(RecordingDmaOp.AllocCoherent.class).size());
            f.ops.clear();
            try (DArray<Byte> a = pool.alloc()) {
                assertEquals(1536, a.len());
                assertEquals(0, a.dmaAddr().asLong() % 64);
                assertEquals(3, pool.idle());
                assertEquals(0, f.ops.calls(RecordingDmaOp.AllocCoherent.class).size(), "served from the pool");
            }
        }
    }

    @Test
    void shouldAllocateFreshBeyondCapAndReturnClosedArrays() throws DmaException {
        try (DArrayPool<Integer> pool = dev.newPool(DmaType.INT, 16, 4, DmaDirection.TO_DEVICE, 2)) {
            DArray<Integer> a = pool.alloc();
            DArray<Integer> b = pool.alloc();
            f.ops.clear();
            DArray<Integer> c = pool.alloc();
            assertEquals(1, f.ops.calls(RecordingDmaOp.AllocCoherent.class).size(), "the third is fresh");
            Set<DmaAddr> addrs = new HashSet<>(Set.of(a.dmaAddr(), b.dmaAddr(), c.dmaAddr()));
            assertEquals(3, addrs.size());

            DmaAddr aAddr = a.dmaAddr();
            a.close();
            assertEquals(1, pool.idle());
            assertThrows(IllegalStateException.class, () -> a.read(0), "a returned array stays closed");
            DArray<Integer> again = pool.alloc();
            assertEquals(aAddr, again.dmaAddr(), "the returned memory is handed out again");

            f.ops.clear();
            b.close();
            c.close();
            assertEquals(2, pool.idle());
            assertEquals(0, f.ops.calls(RecordingDmaOp.DeallocCoherent.class).size());
            again.close();
            again.close();
            assertEquals(2, pool.idle(), "at most cap idle");
            assertEquals(1, f.ops.calls(RecordingDmaOp.DeallocCoherent.class).size(), "the one beyond cap is freed, once");
        }
    }

    @Test
    void shouldFreeArraysReturnedAfterThePoolClosed() throws DmaException {
        DArrayPool<Long> pool = dev.newPool(DmaType.LONG, 8, 8, DmaDirection.BIDIRECTIONAL, 1);
        DArray<Long> out = pool.alloc();
        pool.close();
        assertThrows(IllegalStateException.class, pool::alloc);
        assertEquals(1, f.direct.liveCoherent(), "the array still out");
        out.close();
    }

    @Test
    void shouldFreeWhatItAllocatedWhenPreallocationFails() {
        // 8 x 16 MiB does not fit 64 MiB below 4 GiB: the constructor gives back what it got.
        assertThrows(DmaException.class, () -> dev.newPool(DmaType.BYTE, 16 << 20, 4096, DmaDirection.TO_DEVICE, 8));
    }
}
