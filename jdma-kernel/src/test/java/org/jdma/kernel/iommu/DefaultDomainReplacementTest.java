package org.jdma.kernel.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.iommu.vtd.VtdDomain;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdContextEntryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link IommuSubsystem#replaceDefaultDomain}: a device with no driver gets a domain as boot made it, the old one freed. */
class DefaultDomainReplacementTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);
    private static final long PAGE = 4096;
    private static final long LIMIT = 0xFFFF_FFFFL;

    private Machine machine;
    private Kernel kernel;

    /** A kernel that binds no driver, so nothing else uses the engine's domain. */
    private Kernel boot(IommuMode mode) {
        machine = new Machine(TestMachines.small(1));
        kernel = Kernel.boot(machine, new Kernel.Options(List.of(), mode, null, MappingOptions.DEFAULTS, false));
        return kernel;
    }

    @AfterEach
    void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    /** Maps one page at each of 1, 8 and 1 page allocations, then unmaps all: the IOVAs it got. */
    private static List<Long> mapAndUnmap(IommuDomain d, long physical) {
        List<Long> iovas = new ArrayList<>();
        for (long pages : new long[] {1, 8, 1}) {
            long iova = d.allocIova(pages * PAGE, LIMIT).orElseThrow();
            d.map(iova, physical, PAGE, IoPermission.READ_WRITE);
            iovas.add(iova);
        }
        long[] sizes = {1, 8, 1};
        for (int i = 0; i < iovas.size(); i++) {
            d.unmapAndFree(iovas.get(i), sizes[i] * PAGE);
        }
        return iovas;
    }

    @Test
    void shouldHandOutTheIovasOfABootedDomainAfterAReplacement() {
        Kernel k = boot(IommuMode.STRICT);
        long page = k.frames().allocate(0, org.jdma.kernel.mm.Zone.NORMAL);
        IommuDomain booted = k.iommu().domainOf(ENGINE).orElseThrow();
        List<Long> first = mapAndUnmap(booted, page);
        assertNotEquals(first, mapAndUnmap(booted, page), "the freed IOVAs sit in the magazines: a second run gets others");

        IommuDomain fresh = k.iommu().replaceDefaultDomain(ENGINE);

        assertNotSame(booted, fresh);
        assertSame(fresh, k.iommu().domainOf(ENGINE).orElseThrow());
        assertEquals(first, mapAndUnmap(fresh, page), "a new domain hands out IOVAs as the booted one did");
        VtdDomain vtd = (VtdDomain) fresh;
        long[] context = vtd.unit().contextEntry(ENGINE);
        assertEquals(fresh.id(), VtdContextEntryLayout.domainId(context[1]), "the context entry names the new domain");
        assertThrows(IllegalStateException.class, () -> booted.map(0x10_0000, page, PAGE, IoPermission.READ), "the old domain is freed");
    }

    @Test
    void shouldLeaveTheFrameAllocatorAsItWasOnEveryReplacement() {
        Kernel k = boot(IommuMode.LAZY);
        k.iommu().replaceDefaultDomain(ENGINE);
        var blocks = k.frames().freeBlocks();
        IommuDomain d = k.iommu().domainOf(ENGINE).orElseThrow();
        long page = k.frames().allocate(0, org.jdma.kernel.mm.Zone.NORMAL);
        long iova = d.allocIova(PAGE, LIMIT).orElseThrow();
        d.map(iova, page, PAGE, IoPermission.READ_WRITE);
        d.unmapAndFree(iova, PAGE); // queued for the lazy flush: the freeing below flushes it
        k.frames().free(page, 0);

        k.iommu().replaceDefaultDomain(ENGINE);

        assertEquals(blocks, k.frames().freeBlocks(), "the old domain's tables are freed before the new one takes frames");
    }

    @Test
    void shouldKeepTheSharedIdentityDomain() {
        Kernel k = boot(IommuMode.IDENTITY);
        IommuDomain identity = k.iommu().domainOf(ENGINE).orElseThrow();
        assertSame(identity, k.iommu().replaceDefaultDomain(ENGINE));
    }

    @Test
    void shouldRefuseADeviceWithoutADomain() {
        Kernel k = boot(IommuMode.OFF);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.iommu().replaceDefaultDomain(ENGINE));
        assertTrue(e.getMessage().contains(ENGINE.toString()), e.getMessage());
    }

    @Test
    void shouldRefuseToFreeADomainADeviceIsAttachedTo() {
        Kernel k = boot(IommuMode.STRICT);
        IommuDomain d = k.iommu().domainOf(ENGINE).orElseThrow();
        IllegalStateException e = assertThrows(IllegalStateException.class, d::free);
        assertTrue(e.getMessage().contains("still attached"), e.getMessage());
    }
}
