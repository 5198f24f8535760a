package org.jdma.kernel.dma.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.dma.DmaAttr;
import org.jdma.kernel.dma.DmaDevice;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaMappingLayer;
import org.jdma.kernel.dma.MappingOptions;
import org.jdma.kernel.dma.ScatterList;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.kernel.pci.PciDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jdma.kernel.mm.DmaMemory;

/**
 * The checker over the IOMMU backend, where device addresses are IOVAs and an sg list may come
 * back with fewer segments than it had entries: unmap and sync must be given the original entry
 * count, and the checker finds the merged segments by their IOVAs.
 */
class DmaDebugIommuTest {

    private static final Set<DmaAttr> NONE = EnumSet.noneOf(DmaAttr.class);

    private final Machine machine = new Machine(TestMachines.small(1));
    private final Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT));
    private final DmaMappingLayer layer = new DmaMappingLayer(kernel.memory(), Optional.of(kernel.iommu()),
            MappingOptions.DEFAULTS.withSwiotlb(1 << 20, 1));
    private final DmaDebug api = DmaDebug.wrap(layer, machine);
    private final List<DmaDebugReport> reports = new ArrayList<>();
    private final DmaDevice dev;

    DmaDebugIommuTest() {
        PciDevice engine = kernel.pci().find(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID).getFirst();
        dev = new DmaDevice("memcpy0", engine.requester(), false);
        api.attach(dev);
        api.addListener(reports::add);
    }

    @AfterEach
    void tearDown() {
        api.close();
        kernel.close();
        machine.close();
    }

    private ScatterList fourPages() {
        long buf = kernel.memory().allocate(4 * 4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
        return new ScatterList().add(buf, 4096).add(buf + 4096, 4096).add(buf + 8192, 4096).add(buf + 12288, 4096);
    }

    @Test
    void shouldAcceptAMergedListUnmappedWithItsOriginalEntryCount() {
        assertEquals("iommu", layer.backendName(dev));
        ScatterList sg = fourPages();
        int n = api.mapSg(dev, sg, 4, DmaDirection.FROM_DEVICE, NONE);
        assertTrue(n >= 1 && n < 4, "page-aligned entries merge into fewer IOVA segments, got " + n);
        assertNotEquals(sg.get(0).physical(), sg.get(0).dmaAddress(), "an IOVA, not the physical address");
        assertEquals(n, api.liveMappings(dev).size());
        api.syncSgForCpu(dev, sg, 4, DmaDirection.FROM_DEVICE);
        api.syncSgForDevice(dev, sg, 4, DmaDirection.FROM_DEVICE);
        api.unmapSg(dev, sg, 4, DmaDirection.FROM_DEVICE, NONE);
        api.assertNoReports();
        assertEquals(0, api.liveEntries());
    }

    @Test
    void shouldReportAMergedListUnmappedWithTheCountMapSgReturned() {
        ScatterList sg = fourPages();
        int n = api.mapSg(dev, sg, 4, DmaDirection.TO_DEVICE, NONE);
        api.unmapSg(dev, sg, n, DmaDirection.TO_DEVICE, NONE); // the classic mistake: the returned count
        assertEquals(DmaDebugCategory.FREE_SG_COUNT_MISMATCH, reports.getFirst().category());
        assertTrue(reports.getFirst().message().contains("[map count=4] [unmap count=" + n + "]"), reports.getFirst().message());
    }

    @Test
    void shouldReportAnUnmapOfAnIovaThatWasNeverHandedOut() {
        long buf = kernel.memory().allocate(4096, 4096, DmaMemory.LIMIT_4GIB).physicalAddress();
        long iova = api.mapSingle(dev, buf, 4096, DmaDirection.TO_DEVICE, NONE);
        api.mappingError(dev, iova);
        api.unmapSingle(dev, iova + 0x10_0000, 4096, DmaDirection.TO_DEVICE, NONE);
        assertEquals(DmaDebugCategory.FREE_NOT_ALLOCATED, reports.getFirst().category());
        api.unmapSingle(dev, iova, 4096, DmaDirection.TO_DEVICE, NONE);
        assertEquals(1, reports.size());
    }
}
