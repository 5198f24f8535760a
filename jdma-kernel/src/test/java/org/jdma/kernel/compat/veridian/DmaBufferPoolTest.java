package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.jdma.kernel.dma.DmaError;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.BootedMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fixed-size buffer pool (checklist rows 35 and 36): exhaustion, reference counts, statistics. */
class DmaBufferPoolTest {

    private BootedMachine m;
    private DmaMemory memory;

    @BeforeEach
    void boot() {
        m = new BootedMachine(IommuMode.OFF);
        memory = m.kernel.memory();
    }

    @AfterEach
    void shutDown() {
        m.close();
    }

    @Test
    void shouldHandOutDistinctZeroedBuffersBelow4GiB() {
        try (DmaBufferPool pool = new DmaBufferPool(memory, 8)) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                DmaBufferPool.PoolBuffer b = pool.alloc();
                assertEquals(DmaBufferPool.BUFFER_SIZE, b.size());
                assertTrue(Long.compareUnsigned(b.physAddr() + b.size() - 1, DmaMemory.LIMIT_4GIB) <= 0, "below 4 GiB");
                assertEquals(0, m.kernel.cpu().read64(b.physAddr()));
                assertTrue(seen.add(b.physAddr()), "distinct");
                pool.free(b.index());
                pool.alloc(); // LIFO: the same buffer comes back first
            }
            assertEquals(0, pool.freeCount());
            for (int i = 0; i < 8; i++) {
                pool.free(i);
            }
        }
    }

    @Test
    void shouldFailAndCountWhenEveryBufferIsOut() {
        DmaBufferPool pool = new DmaBufferPool(memory, 2);
        pool.alloc();
        pool.alloc();
        DmaException e = assertThrows(DmaException.class, pool::alloc);
        assertInstanceOf(DmaError.NoMemory.class, e.error());
        assertThrows(DmaException.class, pool::alloc);
        assertEquals(new DmaBufferPool.Stats(2, 0, 2, 0, 2), pool.stats());
        assertThrows(IllegalStateException.class, pool::close, "buffers are still out");
        pool.free(0);
        pool.free(1);
        pool.close();
    }

    @Test
    void shouldReturnABufferOnlyWhenItsLastReferenceGoes() {
        try (DmaBufferPool pool = new DmaBufferPool(memory, 4)) {
            DmaBufferPool.PoolBuffer b = pool.alloc();
            pool.acquire(b.index());
            assertEquals(2, pool.refcount(b.index()));
            pool.free(b.index());
            assertEquals(3, pool.freeCount(), "still held once");
            pool.free(b.index());
            assertEquals(4, pool.freeCount());
            assertThrows(IllegalStateException.class, () -> pool.free(b.index()), "double free refused, no underflow");
            assertEquals(0, pool.refcount(b.index()));
            assertEquals(new DmaBufferPool.Stats(4, 4, 1, 1, 0), pool.stats());
        }
    }

    @Test
    void shouldRejectIndicesAndSizesOutsideThePool() {
        assertThrows(IllegalArgumentException.class, () -> new DmaBufferPool(memory, DmaBufferPool.MAX_BUFFERS + 1));
        assertThrows(IllegalArgumentException.class, () -> new DmaBufferPool(memory, 0));
        try (DmaBufferPool pool = new DmaBufferPool(memory, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.free(3));
            assertTrue(e.getMessage().contains("3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.free(-1));
            assertThrows(IllegalStateException.class, () -> pool.acquire(0), "a free buffer is taken with alloc");
        }
    }

    @Test
    void shouldGiveItsMemoryBackWhenClosed() {
        long before = memory.frames().stats().freeFrames();
        DmaBufferPool pool = new DmaBufferPool(memory, DmaBufferPool.MAX_BUFFERS);
        assertNotEquals(before, memory.frames().stats().freeFrames());
        pool.close();
        assertEquals(before, memory.frames().stats().freeFrames());
        assertThrows(IllegalStateException.class, pool::alloc);
    }
}
