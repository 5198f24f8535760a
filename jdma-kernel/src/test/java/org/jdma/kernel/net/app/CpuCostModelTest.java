package org.jdma.kernel.net.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuCostModelTest {

    private static final CpuCostModel M = CpuCostModel.DEFAULTS;

    /** Cycles of the driver's work per forwarded packet when each poll moves {@code batch} packets. */
    private static double driverCyclesPerPacket(int batch) {
        CpuCost c = M.cost(new CpuWork(1, 0, batch, batch, 0, 0, 0, 0), false);
        return c.driverNs() * M.cpuGhz() / batch;
    }

    @Test
    void shouldReproduceIxysCyclesPerForwardedPacketAtBatch32And8() {
        assertEquals(94, driverCyclesPerPacket(32), 1.0, "ixy: 94 cycles per packet at batch 32");
        assertEquals(108, driverCyclesPerPacket(8), 1.0, "ixy: 108 cycles per packet at batch 8");
    }

    @Test
    void shouldChargeIovaAndPageTableWorkOnlyInATranslatedDomain() {
        CpuWork w = new CpuWork(1, 0, 32, 32, 32, 32, 64, 0);
        CpuCost direct = M.cost(w, false);
        CpuCost translated = M.cost(w, true);
        assertEquals(0, direct.iommuNs());
        assertEquals(direct.mappingNs(), translated.mappingNs(), "the DMA-API part is the same");
        assertEquals(M.ns(32.0 * M.iommuMapCycles() + 32.0 * M.iommuUnmapCycles()), translated.iommuNs(), 1e-9);
        assertEquals(M.ns(32.0 * M.mapCycles() + 32.0 * M.unmapCycles() + 64.0 * M.syncCycles()), direct.mappingNs(), 1e-9);
    }

    @Test
    void shouldChargeEachInvalidationRequestToTheIommu() {
        CpuCost c = M.cost(new CpuWork(0, 0, 0, 0, 0, 0, 0, 3), false);
        assertEquals(M.ns(3.0 * M.invalidationCycles()), c.iommuNs(), 1e-9);
        assertEquals(0, c.driverNs() + c.mappingNs());
    }

    @Test
    void shouldCountIdlePollsAsIdleTimeNotPacketWork() {
        CpuCost c = M.cost(CpuWork.IDLE_POLL.plus(CpuWork.IDLE_POLL), true);
        assertEquals(0, c.busyNs());
        assertEquals(M.ns(2.0 * M.batchCycles()), c.idleNs(), 1e-9);
        assertEquals(c.idleNs(), c.totalNs(), 1e-9);
    }

    @Test
    void shouldScaleWithTheClock() {
        CpuWork w = CpuWork.batch(32, 32);
        CpuCost slow = M.cost(w, false);
        CpuCost fast = M.withCpuGhz(M.cpuGhz() * 2).cost(w, false);
        assertEquals(slow.totalNs() / 2, fast.totalNs(), 1e-9);
    }

    @Test
    void shouldRejectANegativeCostOrAClockOfZero() {
        assertThrows(IllegalArgumentException.class, () -> M.withCpuGhz(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CpuCostModel(1.0, 150, -1, 40, 30, 20, 10, 250, 200, 300));
        assertTrue(e.getMessage().contains("cycle costs"), e.getMessage());
    }
}
