package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The driver's synchronous operations on a machine whose write-back cache DMA bypasses: the
 * engine must read what the CPU wrote (still dirty in the cache) and the CPU must read what the
 * engine wrote (past lines it had cached before), with and without the IOMMU translating.
 */
class NonCoherentCopyEngineTest {

    private static final int LENGTH = 3 * 4096 + 192;
    private static final long SEED = 0x5EED_C0DEL;

    private static Machine nonCoherent(boolean walkCoherent) {
        return new Machine(MachineConfig.defaults().withCache(CacheConfig.nonCoherent(64))
                .withVtd(VtdConfig.DEFAULT.withPageWalkCoherent(walkCoherent)));
    }

    private static byte[] pattern(long seed) {
        byte[] b = new byte[LENGTH];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Leaves dst's lines cached (stale once the engine writes) and src's pattern dirty in the cache. */
    private static void prepare(DmaBuffer src, DmaBuffer dst, byte[] data) {
        dst.toByteArray();
        src.write(0, data);
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT", "LAZY", "IDENTITY"})
    void shouldCopyDirtySourceBytesAndShowTheCpuTheDestination(IommuMode mode) {
        for (boolean walkCoherent : new boolean[] {true, false}) {
            try (Machine m = nonCoherent(walkCoherent); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(mode))) {
                assertFalse(k.cpu().cache().coherent());
                assertEquals(mode != IommuMode.OFF, k.iommu().enabled(), "IOMMU " + mode + ": " + k.iommu().problems());
                CopyEngineDriver d = k.copyEngine();
                try (DmaBuffer src = k.memory().allocate(LENGTH, 64); DmaBuffer dst = k.memory().allocate(LENGTH, 64)) {
                    byte[] data = pattern(SEED);
                    prepare(src, dst, data);
                    OpResult r = d.copy(src, dst, LENGTH);
                    assertInstanceOf(OpResult.Completed.class, r, mode + ": " + r);
                    assertArrayEquals(data, dst.toByteArray(), mode + ", walk coherent " + walkCoherent + ", seed " + SEED);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = IommuMode.class, names = {"OFF", "STRICT"})
    void shouldFillAndCompareWhatTheCpuSees(IommuMode mode) {
        try (Machine m = nonCoherent(true); Kernel k = Kernel.boot(m, Kernel.Options.DEFAULTS.withIommu(mode))) {
            assertEquals(mode != IommuMode.OFF, k.iommu().enabled(), "IOMMU " + mode + ": " + k.iommu().problems());
            CopyEngineDriver d = k.copyEngine();
            try (DmaBuffer a = k.memory().allocate(LENGTH, 64); DmaBuffer b = k.memory().allocate(LENGTH, 64)) {
                a.toByteArray(); // cached zeroes, stale once the engine fills
                long fill = 0x0123_4567_89AB_CDEFL;
                assertInstanceOf(OpResult.Completed.class, d.fill(a, LENGTH, fill));
                byte[] seen = a.toByteArray();
                for (int i = 0; i < LENGTH; i++) {
                    assertEquals((byte) (fill >>> (8 * (i % 8))), seen[i], mode + ": byte " + i + " after fill");
                }
                // b gets the same bytes by CPU stores that stay dirty: the engine must see them equal.
                b.write(0, seen);
                OpResult same = d.compare(a, b, LENGTH);
                assertEquals(0, ((OpResult.Completed) same).completion().result(), mode + ": " + same);
                b.writeByte(LENGTH - 5, seen[LENGTH - 5] ^ 0xFF);
                OpResult differ = d.compare(a, b, LENGTH);
                var c = ((OpResult.Completed) differ).completion();
                assertEquals(1, c.result(), mode + ": " + differ);
                assertEquals(LENGTH - 5, c.bytesCompleted(), mode + ": " + differ);
            }
        }
    }
}
