package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.BootedMachine;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;
import org.junit.jupiter.api.Test;

/**
 * Coherency labels tell the truth (checklist row 75): a buffer is labelled with what the machine
 * does, and the label decides the cache maintenance its owner must do.
 */
class DmaCoherencyLabelTest {

    private static final long PATTERN = 0x5A5A_5A5A_5A5A_5A5AL;

    private static BootedMachine nonCoherent() {
        return new BootedMachine(TestMachines.small(1).withCache(CacheConfig.nonCoherent(64)), IommuMode.OFF);
    }

    private static void deviceCopy(BootedMachine m, DmaMappedBuffer src, DmaMappedBuffer dst) {
        assertTrue(m.kernel.copyEngine().executeUnchecked(Descriptor.memmove(src.dmaAddr(), dst.dmaAddr(), src.size())).isSuccess());
    }

    @Test
    void shouldLabelBuffersCoherentOnlyWhereDmaSnoopsTheCache() {
        try (BootedMachine x86 = new BootedMachine(IommuMode.OFF); BootedMachine arm = nonCoherent()) {
            assertEquals(DmaCoherency.COHERENT,
                    new VeridianIommu(x86.kernel, BootedMachine.COPY_ENGINE).allocDmaBuffer(4096, DmaDirection.TO_DEVICE).coherency());
            assertEquals(DmaCoherency.NON_COHERENT,
                    new VeridianIommu(arm.kernel, BootedMachine.COPY_ENGINE).allocDmaBuffer(4096, DmaDirection.TO_DEVICE).coherency());
        }
    }

    @Test
    void shouldNeedBothSyncsForANonCoherentBuffer() {
        try (BootedMachine m = nonCoherent()) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            Cpu cpu = m.kernel.cpu();
            DmaMappedBuffer src = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE);
            DmaMappedBuffer dst = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE);
            cpu.write64(src.physAddr(), PATTERN);                 // dirty in the CPU cache only
            assertEquals(0, cpu.read64(dst.physAddr()));          // dst's line is now cached

            deviceCopy(m, src, dst);
            assertEquals(0, cpu.read64(dst.physAddr()), "without syncForCpu the CPU reads its stale line");
            v.syncForCpu(dst);
            assertEquals(0, cpu.read64(dst.physAddr()), "without syncForDevice the device read memory, not the cache");

            v.syncForDevice(src);
            deviceCopy(m, src, dst);
            v.syncForCpu(dst);
            assertEquals(PATTERN, cpu.read64(dst.physAddr()));
        }
    }

    @Test
    void shouldNeedNoMaintenanceForCoherentOrWriteCombiningBuffersOnANonCoherentMachine() {
        try (BootedMachine m = nonCoherent()) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            Cpu cpu = m.kernel.cpu();
            DmaMappedBuffer src = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE, DmaCoherency.WRITE_COMBINING);
            DmaMappedBuffer dst = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE, DmaCoherency.COHERENT);
            assertEquals(MemoryType.UNCACHED, cpu.cache().memoryTypeAt(dst.physAddr()));
            cpu.write64(src.physAddr(), PATTERN);
            assertEquals(0, cpu.read64(dst.physAddr()));

            deviceCopy(m, src, dst);
            assertEquals(PATTERN, cpu.read64(dst.physAddr()), "no sync: the CPU never cached the buffers");

            v.freeDmaBuffer(dst);
            assertEquals(MemoryType.WRITE_BACK, cpu.cache().memoryTypeAt(dst.physAddr()), "freed frames are cacheable again");
        }
    }
}
