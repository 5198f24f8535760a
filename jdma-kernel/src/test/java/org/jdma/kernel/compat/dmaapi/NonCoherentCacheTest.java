package org.jdma.kernel.compat.dmaapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.platform.CacheObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.dma.DmaException;
import org.jdma.kernel.dma.DmaMask;

/**
 * The containers on a non-coherent (arm64-like) write-back cache (row 78), watched line by line
 * through a {@link CacheObserver}: after a CPU write the device is about to read, no line of the
 * bytes it reads is left dirty; before a CPU read of device data, the line was invalidated so the
 * read misses and fills from memory. The seed's bounce bug is shown to leave the bounce copy dirty,
 * which on this cache means the device reads stale memory.
 *
 * <p>A machine that ignores the non-coherent {@link CacheConfig} and builds a coherent cache fails
 * every test here in {@code setUp}: that would be a regression, not a reason to skip.
 */
class NonCoherentCacheTest {

    /** Which lines hold CPU data that memory does not have yet, and the last read's hit or miss per line. */
    static final class DirtyLines implements CacheObserver {
        final Set<Long> dirty = new HashSet<>();
        final List<String> reads = new ArrayList<>();

        @Override public void cpuWrite(long line) { dirty.add(line); }
        @Override public void cleaned(long line) { dirty.remove(line); }
        @Override public void invalidated(long line, boolean wasDirty) { dirty.remove(line); }
        @Override public void dirtyEviction(long line) { dirty.remove(line); }
        @Override public void cpuRead(long line, boolean hit) { reads.add(String.format("%#x %s", line, hit ? "hit" : "miss")); }

        boolean anyDirty(long addr, long size) {
            for (long a = addr & -64L; a < addr + size; a += 64) {
                if (dirty.contains(a)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Seed 004's confirm_write as coded: copy into the bounce buffer, then flush the original. */
    static final class SeedBounceBugOp implements DmaOp {
        final DirectDmaOp inner;

        SeedBounceBugOp(DirectDmaOp inner) { this.inner = inner; }

        @Override public int pageSize() { return inner.pageSize(); }
        @Override public org.jdma.platform.Cpu cpu() { return inner.cpu(); }
        @Override public DmaHandle.Mapped mapSingle(DmaMask m, long a, long s, long al, DmaDirection d) throws DmaException { return inner.mapSingle(m, a, s, al, d); }
        @Override public void unmapSingle(DmaHandle.Mapped h) { inner.unmapSingle(h); }
        @Override public java.util.Optional<DmaHandle.Coherent> allocCoherent(DmaMask m, DmaLayout l) { return inner.allocCoherent(m, l); }
        @Override public void deallocCoherent(DmaHandle.Coherent h) { inner.deallocCoherent(h); }
        @Override public void flush(long a, long s) { inner.flush(a, s); }
        @Override public void invalidate(long a, long s) { inner.invalidate(a, s); }
        @Override public void flushInvalidate(long a, long s) { inner.flushInvalidate(a, s); }

        @Override
        public void confirmWrite(DmaHandle h, long offset, long size, DmaDirection direction) {
            if (direction.deviceReads() && h instanceof DmaHandle.Mapped m && m.bounceCpuAddr().isPresent()) {
                for (long i = 0; i < size; i += 8) {
                    cpu().write64(m.bounceCpuAddr().getAsLong() + offset + i, cpu().read64(m.cpuAddr() + offset + i));
                }
                flush(m.cpuAddr() + offset, size);
            } else {
                DmaOp.super.confirmWrite(h, offset, size, direction);
            }
        }
    }

    private Machine machine;
    private DmaMemory memory;
    private final DirtyLines lines = new DirtyLines();

    @BeforeEach
    void setUp() {
        machine = new Machine(TestMachines.small(0).withCache(CacheConfig.nonCoherent(64)));
        assertFalse(machine.cpu().cache().coherent(), "the machine built a coherent cache for a non-coherent config");
        memory = TestMachines.dmaMemory(machine);
        machine.cpu().cache().addObserver(lines);
    }

    @AfterEach
    void tearDown() {
        machine.close();
    }

    @Test
    void shouldLeaveNoDirtyLineTheDeviceReadsAfterASet() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new DirectDmaOp(TestMachines.device(TestMachines.directDma(memory), "dma-api"), memory));
        try (DArray<Long> a = dev.arrayZeroWithAlign(DmaType.LONG, 64, 64, DmaDirection.TO_DEVICE)) {
            long base = a.dmaAddr().asLong();
            a.set(9, 42L);
            assertFalse(lines.anyDirty(base + 72, 8), "set flushed its element");
            machine.cpu().write64(base + 200, 1); // control: a plain CPU store leaves its line dirty
            assertTrue(lines.anyDirty(base + 200, 8));
        }
    }

    @Test
    void shouldMissAndFillFromMemoryWhenReadingDeviceData() throws DmaException {
        DmaContainers dev = new DmaContainers(DmaMask.BITS_64, new DirectDmaOp(TestMachines.device(TestMachines.directDma(memory), "dma-api"), memory));
        try (DArray<Long> a = dev.arrayZeroWithAlign(DmaType.LONG, 64, 64, DmaDirection.FROM_DEVICE)) {
            long base = a.dmaAddr().asLong();
            machine.cpu().read64(base + 128); // the line is now cached
            lines.reads.clear();
            a.read(16);
            assertEquals(List.of(String.format("%#x miss", base + 128)), lines.reads, "invalidated before the read");
        }
    }

    @Test
    void shouldCleanTheBounceCopyTheDeviceReadsWhereTheSeedLeftItDirty() throws DmaException {
        DirectDmaOp forced = new DirectDmaOp(TestMachines.device(TestMachines.directDma(memory), "dma-api"), memory, true);
        for (boolean seedBug : new boolean[] {false, true}) {
            DmaContainers dev = new DmaContainers(DmaMask.BITS_64, seedBug ? new SeedBounceBugOp(forced) : forced);
            try (DmaBuffer buf = memory.allocate(512, 64);
                 SArrayPtr<Long> p = dev.mapSingleArray(DmaType.LONG, buf, 64, DmaDirection.TO_DEVICE)) {
                long bounce = p.dmaAddr().asLong();
                buf.writeLong(0, 0x5EED_0004L);
                p.confirmWriteAll();
                assertEquals(seedBug, lines.anyDirty(bounce, 512),
                        seedBug ? "the seed flushes the original: the bounce copy stays dirty, the device reads stale memory"
                                : "the fix flushes the bounce copy the device reads");
            }
        }
    }
}
