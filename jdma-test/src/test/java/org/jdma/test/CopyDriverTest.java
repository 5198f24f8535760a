package org.jdma.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaApi;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.debug.DmaDebug;
import org.jdma.kernel.dma.debug.DmaMapping;
import org.jdma.kernel.dma.debug.DmaMappingType;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver;
import org.jdma.kernel.drivers.memcpy.OpResult;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.platform.Cpu;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.dma.DmaMask;

/** How a driver author uses {@link DmaTest}: a copy through the copy engine, done right, on both kinds of machine. */
class CopyDriverTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    /** The driver under test: copies {@code len} bytes with the engine, mapping and syncing as the DMA API says. */
    static byte[] copyThroughEngine(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu, byte[] data) {
        int len = data.length;
        long src = kernel.memory().allocate(len, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
        long dst = kernel.memory().allocate(len, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
        cpu.write(src, data);
        long s = dma.mapSingle(dev, src, len, DmaDirection.TO_DEVICE, NONE);
        long d = dma.mapSingle(dev, dst, len, DmaDirection.FROM_DEVICE, NONE);
        assertFalse(dma.mappingError(dev, s));
        assertFalse(dma.mappingError(dev, d));
        OpResult r = engine.execute(Descriptor.memmove(s, d, len));
        assertTrue(r.isSuccess(), r::toString);
        dma.unmapSingle(dev, s, len, DmaDirection.TO_DEVICE, NONE);
        dma.unmapSingle(dev, d, len, DmaDirection.FROM_DEVICE, NONE);
        byte[] out = new byte[len];
        cpu.read(dst, out);
        return out;
    }

    static byte[] pattern(int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    @DmaTest
    void shouldCopyOnACoherentMachine(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu) {
        byte[] data = pattern(4096);
        assertArrayEquals(data, copyThroughEngine(dma, dev, kernel, engine, cpu, data));
        assertTrue(cpu.cache().coherent());
    }

    @Test
    @DmaTest(coherent = false)
    void shouldCopyOnANonCoherentMachine(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu) {
        byte[] data = pattern(8192);
        assertArrayEquals(data, copyThroughEngine(dma, dev, kernel, engine, cpu, data));
        assertFalse(cpu.cache().coherent());
    }

    @Test
    @DmaTest(iommu = IommuMode.STRICT)
    void shouldCopyThroughIovasUnderAStrictIommu(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu,
                                                 DmaMappingLayer layer) {
        byte[] data = pattern(4096);
        assertArrayEquals(data, copyThroughEngine(dma, dev, kernel, engine, cpu, data));
        assertEquals("iommu", layer.backendName(dev));
    }

    @Test
    @DmaTest(coherent = false, iommu = IommuMode.STRICT)
    void shouldCopyThroughIovasOnANonCoherentMachine(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine,
                                                      Cpu cpu, DmaMappingLayer layer) {
        byte[] data = pattern(8192);
        assertArrayEquals(data, copyThroughEngine(dma, dev, kernel, engine, cpu, data));
        assertFalse(cpu.cache().coherent());
        assertEquals("iommu", layer.backendName(dev));
        assertTrue(kernel.iommu().enabled(), () -> kernel.iommu().problems().toString());
    }

    @Test
    @DmaTest(iommu = IommuMode.LAZY)
    void shouldCopyUnderALazyIommu(DmaApi dma, DmaDevice dev, Kernel kernel, CopyEngineDriver engine, Cpu cpu) {
        byte[] data = pattern(8192);
        assertArrayEquals(data, copyThroughEngine(dma, dev, kernel, engine, cpu, data));
    }

    @Test
    @DmaTest(coherent = false, lineSize = 128, maskBits = 64)
    void shouldGiveTheDeviceTheMaskAskedFor(DmaDevice dev, Cpu cpu) {
        assertEquals(DmaMask.BITS_64, dev.dmaMask());
        assertEquals(128, cpu.cache().lineSize());
    }

    @Test
    @DmaTest(coherent = false)
    void shouldCheckTheDriversOwnRingAndBuffersLikeAnyMapping(DmaDebug debug, DmaDevice dev, Kernel kernel, CopyEngineDriver engine) {
        List<DmaMapping> live = debug.liveMappings(dev);
        assertEquals(1, live.size(), live::toString);
        assertEquals(DmaMappingType.COHERENT, live.getFirst().type(), "the ring and its completion records");
        assertEquals(engine.ring().ringDeviceBase(), live.getFirst().dmaAddress());
        DmaBuffer src = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
        DmaBuffer dst = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB);
        src.fill(0, 4096, (byte) 0x5A);
        long reportsBefore = debug.errorCount();
        assertTrue(engine.copy(src, dst, 4096).isSuccess());
        assertEquals(0x5A, dst.readByte(4095), "the driver's own dma_map/unmap kept the non-coherent cache right");
        assertEquals(reportsBefore, debug.errorCount(), "the checker saw the copy's mappings and found nothing wrong");
        assertEquals(1, debug.liveMappings(dev).size(), "the copy's buffers were unmapped; the ring stays");
        assertTrue(debug.maxLiveEntries() >= 3, "the ring and both buffers were live during the copy");
    }
}
