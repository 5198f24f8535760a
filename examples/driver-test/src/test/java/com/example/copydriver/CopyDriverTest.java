package com.example.copydriver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.test.DmaTest;
import org.jdma.test.DmaTestEnvironment;
import org.jdma.test.DmaTestMachine;
import org.junit.jupiter.api.Test;

/**
 * The correct driver on three machines. Each test fails if the checker reports anything, or if
 * the IOMMU blocks any of the engine's accesses.
 */
class CopyDriverTest {

    static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Copies a pattern with the driver and checks every byte the CPU sees afterwards. */
    static void copiesExactly(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine, int length) {
        byte[] data = pattern(length);
        DmaBuffer src = env.allocate(length);
        DmaBuffer dst = env.allocate(length);
        src.write(0, data);
        new CopyDriver(dma, engine).copy(src, dst, length);
        byte[] seen = new byte[length];
        dst.read(0, seen);
        assertArrayEquals(data, seen);
    }

    @Test
    @DmaTest
    void shouldCopyOnACoherentMachine(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine) {
        copiesExactly(env, dma, engine, 8192);
    }

    @Test
    @DmaTest(coherent = false)
    void shouldCopyOnANonCoherentMachine(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine, DmaTestMachine machine) {
        assertTrue(!machine.coherent(), machine::toString);
        copiesExactly(env, dma, engine, 4096);
    }

    @Test
    @DmaTest(coherent = false, iommu = IommuMode.STRICT)
    void shouldCopyThroughAStrictIommu(DmaTestEnvironment env, DeviceDmaApi dma, CopyEngineDriver engine) {
        copiesExactly(env, dma, engine, 16384);
    }
}
