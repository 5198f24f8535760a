package org.jdma.kernel.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.CC_DEVICE;
import static org.jdma.spec.vtd.VtdRegisterLayout.CC_GLOBAL;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_DOMAIN;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_GLOBAL;
import static org.jdma.spec.vtd.VtdRegisterLayout.IOTLB_PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToLongFunction;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.iommu.vtd.VtdConfig;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.junit.jupiter.api.Test;
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

    /**
     * Deferred work of other CPUs runs inside an invalidation's wait (modeled time passes there) and
     * queues invalidations of its own, nested up to 300 deep: more than the 256-entry queue holds, so
     * the innermost wait for a free slot while the unit drains. Every request is performed once,
     * none is overwritten, and no wait mistakes a later request's status for a timeout.
     */
    @Test
    void shouldPerformEveryInvalidationQueuedFromWorkNestedInAnotherOnesWait() {
        MachineConfig c = TestMachines.small(1);
        try (Machine machine = new Machine(c.withVtd(c.vtd().withQueuedInvalidation(true)));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            VtdUnitDriver driver = VtdIommuDriver.of(kernel.iommu()).units().getFirst();
            VtdUnit unit = machine.remappingUnits().getFirst();
            long pagesBefore = unit.iotlbInvalidations(IOTLB_PAGE);
            long domainsBefore = unit.iotlbInvalidations(IOTLB_DOMAIN);
            int nested = 300;
            int[] done = {0};
            for (int i = 0; i < nested; i++) {
                long address = 0x40_0000L + 0x1000L * i;
                kernel.platform().clock().schedule(i % 3, "nested invalidation " + i, () -> {
                    driver.invalidateIotlbPages(DID, address, 1);
                    done[0]++;
                });
            }
            for (int i = 0; i < 4; i++) {
                driver.invalidateIotlbDomain(DID);
            }
            kernel.platform().clock().runUntilIdle();
            assertEquals(nested, done[0]);
            assertEquals(nested, unit.iotlbInvalidations(IOTLB_PAGE) - pagesBefore, "each page request performed once");
            assertEquals(4, unit.iotlbInvalidations(IOTLB_DOMAIN) - domainsBefore);
            assertEquals(0, unit.queueErrors());
        }
    }

    /**
     * A CPU store to RAM waits while an ISA DMA transfer holds the bus, and other CPUs' work runs
     * meanwhile. Here another request runs inside the store of the first one's descriptor, takes
     * the same slot and finishes; the first request must still be performed (in the next free
     * slot), and no slot may be skipped (a stale slot the unit would run or reject).
     */
    @Test
    void shouldPerformARequestWhoseDescriptorStoreWaitedWhileAnotherTookItsSlot() {
        MachineConfig c = TestMachines.small(1);
        try (Machine machine = new Machine(c.withVtd(c.vtd().withQueuedInvalidation(true)));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            VtdUnitDriver driver = VtdIommuDriver.of(kernel.iommu()).units().getFirst();
            VtdUnit unit = machine.remappingUnits().getFirst();
            long pagesBefore = unit.iotlbInvalidations(IOTLB_PAGE);
            boolean[] armed = {true};
            // Runs the other request inside the first RAM access after arming: the outer descriptor's store.
            machine.processors().memoryBusGate(() -> {
                if (armed[0]) {
                    armed[0] = false;
                    driver.invalidateIotlbPages(DID, 0x80_0000L, 1);
                }
                return 0;
            });
            driver.invalidateIotlbPages(DID, 0x40_0000L, 1);
            machine.processors().memoryBusGate(null);

            assertFalse(armed[0], "the nested request ran inside the store");
            assertEquals(2, unit.iotlbInvalidations(IOTLB_PAGE) - pagesBefore, "both page requests performed");
            assertEquals(0, unit.queueErrors());
            driver.invalidateIotlbDomain(DID);
            assertEquals(0, unit.queueErrors(), "no slot was left behind for a later request to run");
        }
    }

    /**
     * The driver reads the status word first and FSTS only while the wait is not done, and reads
     * IQH only when the head it last saw says the queue is full. So a unit whose invalidations take
     * no modeled time costs a request one register access, the IQT write; with the default 200 ns
     * the driver reads FSTS once per request while the unit works (one 250 ns MMIO read covers it).
     * Six hundred requests wrap the 256-entry queue several times; each is performed.
     */
    @ParameterizedTest(name = "invalidation takes {0} ns")
    @ValueSource(longs = {0, 200})
    void shouldReadIqhOnlyWhenFullAndFstsOnlyWhileTheWaitIsNotDone(long invalidationNs) {
        MachineConfig c = TestMachines.small(1);
        VtdConfig vtd = c.vtd().withQueuedInvalidation(true).withTiming(c.vtd().iotlbHitNs(), c.vtd().walkStepNs(), invalidationNs);
        assertTrue(invalidationNs <= c.mmioAccessNs(), "one FSTS read outlasts the invalidation");
        try (Machine machine = new Machine(c.withVtd(vtd));
             Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(IommuMode.STRICT))) {
            VtdUnitDriver driver = VtdIommuDriver.of(kernel.iommu()).units().getFirst();
            VtdUnit unit = machine.remappingUnits().getFirst();
            long pagesBefore = unit.iotlbInvalidations(IOTLB_PAGE);
            long readsBefore = machine.processors().mmioReads();
            long writesBefore = machine.processors().mmioWrites();
            long timeBefore = machine.eventKernel().now();
            int requests = 600;
            for (int i = 0; i < requests; i++) {
                driver.invalidateIotlbPages(DID, 0x40_0000L + 0x1000L * i, 1);
            }
            assertEquals(requests, unit.iotlbInvalidations(IOTLB_PAGE) - pagesBefore);
            assertEquals(invalidationNs == 0 ? 0 : requests, machine.processors().mmioReads() - readsBefore, "register reads (FSTS)");
            assertEquals(requests, machine.processors().mmioWrites() - writesBefore, "register writes (IQT)");
            assertTrue(machine.eventKernel().now() - timeBefore >= requests * invalidationNs, "each wait took the invalidation's time");
            assertEquals(0, unit.queueErrors());
        }
    }

    @Test
    void shouldTakeAWaitStatusAtOrPastItsOwnNumberAsDoneAcrossTheWrap() {
        assertTrue(QueuedInvalidator.reached(14, 14));
        assertTrue(QueuedInvalidator.reached(15, 14), "a later wait overwrote the status: everything before it is done");
        assertFalse(QueuedInvalidator.reached(13, 14));
        assertFalse(QueuedInvalidator.reached(0, 14), "nothing written yet");
        assertTrue(QueuedInvalidator.reached(1, -1), "past the wrap (0 is skipped)");
        assertFalse(QueuedInvalidator.reached(-1, 1));
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
