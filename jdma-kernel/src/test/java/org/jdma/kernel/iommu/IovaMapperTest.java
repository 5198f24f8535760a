package org.jdma.kernel.iommu;

import org.jdma.machine.dev.memcpy.CopyEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one alloc-IOVA, map, roll-back sequence, on a real VT-d domain. */
class IovaMapperTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long PAGE = 4096;

    private Machine machine;
    private Kernel kernel;
    private VtdDomain domain;

    @BeforeEach
    void boot() {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT));
        domain = (VtdDomain) kernel.iommu().createDomain(ENGINE, IommuDomain.Type.DMA_STRICT);
    }

    @AfterEach
    void close() {
        kernel.close();
        machine.close();
    }

    @Test
    void shouldMapAFreshRangeThatTranslatesToTheMemory() {
        long iova = IovaMapper.map(domain, 0x20_0000, 2 * PAGE, 2 * PAGE, 0xFFFF_FFFFL, IoPermission.READ).orElseThrow();
        assertEquals(OptionalLong.of(0x20_0000), domain.translate(iova));
        assertEquals(OptionalLong.of(0x20_1FFF), domain.translate(iova + 2 * PAGE - 1));
        assertTrue(domain.iovaAllocator().isAllocated(iova / PAGE));
    }

    @Test
    void shouldReturnEmptyAndAllocateNothingWhenTheLimitLeavesNoSpace() {
        IovaMapper.map(domain, 0x20_0000, PAGE, 2 * PAGE, 0x3FFF, IoPermission.READ).orElseThrow();
        boolean[] ran = {false};
        assertTrue(IovaMapper.allocateAndMap(domain, 2 * PAGE, 0x3FFF, at -> ran[0] = true).isEmpty());
        assertFalse(ran[0], "nothing to map without an IOVA");
    }

    @Test
    void shouldFreeTheRangeWhenTheMappingFails() {
        long taken = IovaMapper.map(domain, 0x20_0000, PAGE, PAGE, 0xFFFF_FFFFL, IoPermission.READ).orElseThrow();
        long[] tried = {-1};
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> IovaMapper.allocateAndMap(domain, PAGE,
                0xFFFF_FFFFL, at -> {
                    tried[0] = at;
                    domain.map(taken, 0x30_0000, PAGE, IoPermission.READ); // overlaps a live mapping
                }));
        assertTrue(overlap.getMessage().contains(Long.toHexString(taken)), overlap.getMessage());
        assertFalse(domain.iovaAllocator().isAllocated(tried[0] / PAGE), "the IOVA of the failed call is free again");
        assertEquals(OptionalLong.of(0x20_0000), domain.translate(taken), "the other mapping is untouched");
    }

    @Test
    void shouldUnmapThePartsAlreadyMappedWhenALaterPartFails() {
        RuntimeException boom = new IllegalStateException("second segment refused");
        long[] start = {-1};
        RuntimeException e = assertThrows(RuntimeException.class, () -> IovaMapper.allocateAndMap(domain, 2 * PAGE, 0xFFFF_FFFFL, at -> {
            start[0] = at;
            domain.map(at, 0x40_0000, PAGE, IoPermission.READ_WRITE);
            throw boom;
        }));
        assertSame(boom, e);
        assertTrue(domain.translate(start[0]).isEmpty(), "the first segment is unmapped again");
        assertFalse(domain.iovaAllocator().isAllocated(start[0] / PAGE));
    }

    @Test
    void shouldReleaseACallerAllocatedRangeWhenItsMappingFails() {
        long iova = domain.allocIova(4 * PAGE, 0xFFFF_FFFFL).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> IovaMapper.mapOrRelease(domain, iova, 4 * PAGE,
                at -> domain.map(at, 0x50_0001, PAGE, IoPermission.READ_WRITE)), "an unaligned physical address");
        assertFalse(domain.iovaAllocator().isAllocated(iova / PAGE));
    }
}
