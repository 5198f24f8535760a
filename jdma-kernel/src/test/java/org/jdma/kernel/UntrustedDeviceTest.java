package org.jdma.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jdma.kernel.dma.DeviceDmaApi;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.StreamingMapping;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/**
 * A device the kernel is told is untrusted (as Linux treats one behind an external-facing port):
 * its driver's DMA API bounces sub-page streaming mappings, and its domain is strict in lazy mode.
 */
class UntrustedDeviceTest {

    private static final RequesterId ENGINE = CopyEngine.slot(0);

    @Test
    void shouldForceStrictInvalidationAndBounceSubPageMappingsForAnUntrustedDevice() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.LAZY).withUntrusted(ENGINE))) {
            IommuDomain d = kernel.iommu().domainOf(ENGINE).orElseThrow();
            assertEquals(IommuDomain.Type.DMA_STRICT, d.type(), "no flush queue for an untrusted device");
            DeviceDmaApi dma = kernel.copyEngine().dma();
            assertTrue(dma.device().untrusted());
            DmaBuffer page = kernel.memory().allocate(4096, 4096);
            try (StreamingMapping m = dma.mapStreaming(page.physicalAddress() + 512, 512, DmaDirection.TO_DEVICE)) {
                long physical = kernel.iommu().domainOf(ENGINE).orElseThrow().translate(m.dmaAddress()).orElseThrow();
                assertNotEquals(page.physicalAddress() + 512, physical, "bounced: the device's page is not the buffer's page");
            }
            page.close();
        }
    }

    @Test
    void shouldKeepLazyInvalidationAndNoBouncingForATrustedDevice() {
        try (Machine machine = new Machine(TestMachines.small(1));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.LAZY))) {
            assertEquals(IommuDomain.Type.DMA_LAZY, kernel.iommu().domainOf(ENGINE).orElseThrow().type());
            assertFalse(kernel.copyEngine().dma().device().untrusted());
        }
    }
}
