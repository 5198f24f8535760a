package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.iommu.iova.TreeIovaAllocator;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The IOVA magazines are per CPU of the platform: a range freed on one CPU is reused there, not on another. */
class PerCpuIovaTest {

    private final Machine machine = new Machine(TestMachines.small(1));
    private Kernel kernel;

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        machine.close();
    }

    @Test
    void shouldCacheAFreedRangeInTheMagazineOfTheCpuTheCallerRunsAs() {
        CachedIovaAllocator a = CachedIovaAllocator.perCpu(machine);
        assertEquals(4, a.cpuSlots());
        long pfn = a.allocate(1, 0xF_FFFF);
        machine.runOn(2, () -> a.free(pfn, 1));
        assertEquals(1, a.cachedIn(2));
        assertEquals(0, a.cachedIn(0) + a.cachedIn(1) + a.cachedIn(3));
        long onCpu1 = machine.callOn(1, () -> a.allocate(1, 0xF_FFFF));
        assertNotEquals(pfn, onCpu1, "CPU 1's magazine is empty: the tree gives another range");
        assertEquals(pfn, (long) machine.callOn(2, () -> a.allocate(1, 0xF_FFFF)), "CPU 2 gets its cached range back");
        assertEquals(1, a.stats().hits());
    }

    @Test
    void shouldRefuseACallerOnACpuItHasNoSlotFor() {
        CachedIovaAllocator a = CachedIovaAllocator.perCpu(new TreeIovaAllocator(), 2, () -> 3, true);
        var e = assertThrows(IllegalStateException.class, () -> a.allocate(1, 0xF_FFFF));
        assertEquals("the caller runs as CPU 3; this allocator has slots for CPUs 0..1", e.getMessage());
    }

    @Test
    void shouldGiveTheKernelsDomainsOneMagazinePerCpu() {
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT));
        DeviceDmaApi dev = kernel.copyEngine().dma();
        DmaBuffer buf = kernel.memory().allocate(4096, 4096);
        long first = machine.callOn(2, () -> {
            long iova = dev.mapSingle(buf.physicalAddress(), 4096, DmaDirection.TO_DEVICE);
            dev.unmapSingle(iova, 4096, DmaDirection.TO_DEVICE);
            return iova;
        });
        long onCpu3 = machine.callOn(3, () -> dev.mapSingle(buf.physicalAddress(), 4096, DmaDirection.TO_DEVICE));
        long onCpu2 = machine.callOn(2, () -> dev.mapSingle(buf.physicalAddress(), 4096, DmaDirection.TO_DEVICE));
        assertNotEquals(first, onCpu3, "freed into CPU 2's magazine, which CPU 3 does not see");
        assertEquals(first, onCpu2, "CPU 2 reuses what it freed");
        dev.unmapSingle(onCpu3, 4096, DmaDirection.TO_DEVICE);
        dev.unmapSingle(onCpu2, 4096, DmaDirection.TO_DEVICE);
        buf.close();
    }
}
