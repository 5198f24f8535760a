package org.jdma.kernel.compat.veridian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.BootedMachine;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.cache.CpuCache;
import org.jdma.machine.cache.WriteBackCache;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Coherency labels tell the truth (checklist row 75): a buffer is labelled with what the machine
 * does, and the label decides the memory type and the cache maintenance its owner must do.
 */
class DmaCoherencyLabelTest {

    private static final long PATTERN = 0x5A5A_5A5A_5A5A_5A5AL;
    /** A command of one whole line and part of the next (64-byte lines). */
    private static final int COMMAND = 100;

    private static BootedMachine nonCoherent() {
        return new BootedMachine(TestMachines.small(1).withCache(CacheConfig.nonCoherent(64)), IommuMode.OFF);
    }

    private static BootedMachine machine(boolean coherent) {
        return coherent ? new BootedMachine(IommuMode.OFF) : nonCoherent();
    }

    /** A device read that no CPU access announces (a device already polling), straight through its port. */
    private static byte[] deviceRead(BootedMachine m, long dma, int len) {
        byte[] out = new byte[len];
        DmaResult r = m.machine.dmaPorts().getFirst().read(dma, MemorySegment.ofArray(out), 0, len);
        assertTrue(r.isOk(), r.toString());
        return out;
    }

    /** Clean / invalidate calls the cache has seen. */
    private static long maintenanceOps(BootedMachine m) {
        CpuCache c = m.machine.cpu().cache();
        return c instanceof WriteBackCache wb ? wb.maintenanceOps() : ((CoherentCache) c).maintenanceOps();
    }

    private static void assertNoLineCachedOrDirty(BootedMachine m, DmaMappedBuffer b) {
        if (m.machine.cpu().cache() instanceof WriteBackCache wb) {
            for (long a = b.physAddr(); a < b.physAddr() + b.size(); a += wb.lineSize()) {
                assertFalse(wb.isPresent(a), "a line of a write-combining buffer is never in the cache");
                assertFalse(wb.isDirty(a));
            }
        }
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
            assertEquals(MemoryType.WRITE_COMBINING, cpu.cache().memoryTypeAt(src.physAddr()));
            cpu.write64(src.physAddr(), PATTERN);
            assertEquals(0, cpu.read64(dst.physAddr()));
            long ops = maintenanceOps(m);

            // No sync: the engine's doorbell is an MMIO write, an uncached access, which drains the
            // write-combining buffers before the engine is told to read.
            deviceCopy(m, src, dst);
            assertEquals(PATTERN, cpu.read64(dst.physAddr()), "no sync: the CPU never cached the buffers");
            assertEquals(ops, maintenanceOps(m), "no clean, no invalidate");

            v.freeDmaBuffer(dst);
            v.freeDmaBuffer(src);
            assertEquals(MemoryType.WRITE_BACK, cpu.cache().memoryTypeAt(dst.physAddr()), "freed frames are cacheable again");
            assertEquals(MemoryType.WRITE_BACK, cpu.cache().memoryTypeAt(src.physAddr()));
        }
    }

    @Test
    void shouldMapWriteCombiningBuffersWriteCombiningOnBothMachines() {
        for (boolean coherent : new boolean[] {true, false}) {
            try (BootedMachine m = machine(coherent)) {
                VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
                DmaMappedBuffer wc = v.allocDmaBuffer(8192, DmaDirection.TO_DEVICE, DmaCoherency.WRITE_COMBINING);
                assertEquals(DmaCoherency.WRITE_COMBINING, wc.coherency());
                assertEquals(MemoryType.WRITE_COMBINING, m.kernel.cpu().cache().memoryTypeAt(wc.physAddr()));
                assertEquals(MemoryType.WRITE_COMBINING, m.kernel.cpu().cache().memoryTypeAt(wc.physAddr() + 8191));
                DmaMappedBuffer coherentBuffer = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE, DmaCoherency.COHERENT);
                assertEquals(coherent ? MemoryType.WRITE_BACK : MemoryType.UNCACHED,
                        m.kernel.cpu().cache().memoryTypeAt(coherentBuffer.physAddr()));
                v.freeDmaBuffer(wc);
                assertEquals(MemoryType.WRITE_BACK, m.kernel.cpu().cache().memoryTypeAt(wc.physAddr()));
            }
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldHideWriteCombinedStoresFromTheDeviceUntilSyncForDeviceWithoutEverDirtyingALine(boolean coherent) {
        try (BootedMachine m = machine(coherent)) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            Cpu cpu = m.kernel.cpu();
            DmaMappedBuffer cmd = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE, DmaCoherency.WRITE_COMBINING);
            byte[] command = new byte[COMMAND];
            Arrays.fill(command, (byte) 0xC3);
            long ops = maintenanceOps(m);
            long fences = m.machine.cpu().cache().writeCombining().fenceFlushes();

            cpu.write(cmd.physAddr(), command);
            byte[] seen = deviceRead(m, cmd.dmaAddr(), COMMAND);
            assertArrayEquals(Arrays.copyOf(command, 64), Arrays.copyOf(seen, 64), "the whole first line went as a burst");
            assertArrayEquals(new byte[COMMAND - 64], Arrays.copyOfRange(seen, 64, COMMAND),
                    "the tail is still in a write-combining buffer: the device reads stale memory"
                            + (coherent ? ", snooping or not" : ""));
            assertNoLineCachedOrDirty(m, cmd);

            v.syncForDevice(cmd);
            assertArrayEquals(command, deviceRead(m, cmd.dmaAddr(), COMMAND), "after the write barrier the device reads it all");
            assertEquals(ops, maintenanceOps(m), "a write-combining buffer needs no clean and no invalidate");
            assertEquals(fences + 1, m.machine.cpu().cache().writeCombining().fenceFlushes(), "only the barrier's flush");
            assertNoLineCachedOrDirty(m, cmd);
        }
    }

    @ParameterizedTest(name = "coherent={0}")
    @ValueSource(booleans = {true, false})
    void shouldShowTheCpuWhatTheDeviceWroteToAWriteCombiningBufferWithoutAnInvalidate(boolean coherent) {
        try (BootedMachine m = machine(coherent)) {
            VeridianIommu v = new VeridianIommu(m.kernel, BootedMachine.COPY_ENGINE);
            Cpu cpu = m.kernel.cpu();
            DmaMappedBuffer src = v.allocDmaBuffer(4096, DmaDirection.TO_DEVICE, DmaCoherency.COHERENT);
            DmaMappedBuffer dst = v.allocDmaBuffer(4096, DmaDirection.FROM_DEVICE, DmaCoherency.WRITE_COMBINING);
            cpu.write64(src.physAddr(), PATTERN);
            assertEquals(0, cpu.read64(dst.physAddr()), "a load before the DMA allocates no line to go stale");
            long ops = maintenanceOps(m);

            deviceCopy(m, src, dst);
            assertEquals(PATTERN, cpu.read64(dst.physAddr()), "no syncForCpu: the load reads memory");
            v.syncForCpu(dst);
            assertEquals(ops, maintenanceOps(m), "syncForCpu of a write-combining buffer invalidates nothing");
            assertNoLineCachedOrDirty(m, dst);
        }
    }
}
