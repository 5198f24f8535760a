package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.CC_DEVICE;
import static org.jdma.spec.vtd.VtdRegisterLayout.CC_GLOBAL;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_DOMAIN;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_GLOBAL;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntToLongFunction;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver's invalidation requests, each checked against what the emulated unit performed, with
 * the queue ({@link QueuedInvalidator}) and through the registers ({@link RegisterInvalidator}):
 * both must ask the unit for exactly the same invalidations, at the same granularity.
 */
class InvalidatorContractTest {

    private static final int DID = 7;
    private static final int SID = 0x0020;

    @ParameterizedTest(name = "queued invalidation {0}")
    @ValueSource(booleans = {true, false})
    void shouldPerformEachRequestedInvalidationAtItsGranularity(boolean queued) {
        MachineConfig c = TestMachines.small(1);
        try (Machine machine = new Machine(c.withVtd(c.vtd().withQueuedInvalidation(queued)));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            VtdUnitDriver driver = VtdIommuDriver.of(kernel.iommu()).units().getFirst();
            VtdUnit unit = machine.remappingUnits().getFirst();
            assertEquals(queued, driver.queuedInvalidation());
            long queuedBefore = unit.queuedDescriptors();

            expectOne(unit::contextInvalidations, CC_GLOBAL, driver::invalidateContextGlobal);
            expectOne(unit::contextInvalidations, CC_DEVICE, () -> driver.invalidateContextDevice(DID, SID));
            expectOne(unit::iotlbInvalidations, IOTLB_GLOBAL, driver::invalidateIotlbGlobal);
            expectOne(unit::iotlbInvalidations, IOTLB_DOMAIN, () -> driver.invalidateIotlbDomain(DID));
            expectOne(unit::iotlbInvalidations, IOTLB_PAGE, () -> driver.invalidateIotlbPages(DID, 0x40_0000, 4));

            // Five requests: through the queue each is a descriptor plus an invalidation wait.
            assertEquals(queued ? 10 : 0, unit.queuedDescriptors() - queuedBefore);
            assertEquals(0, unit.queueErrors());
        }
    }

    /** {@code request} makes the unit perform exactly one invalidation, at {@code granularity}, and no other. */
    private static void expectOne(IntToLongFunction performed, int granularity, Runnable request) {
        long[] before = new long[4];
        for (int g = 1; g <= 3; g++) {
            before[g] = performed.applyAsLong(g);
        }
        request.run();
        for (int g = 1; g <= 3; g++) {
            assertEquals(before[g] + (g == granularity ? 1 : 0), performed.applyAsLong(g), "granularity " + g);
        }
    }
}
