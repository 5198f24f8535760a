package org.jdma.kernel.drivers.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.block.BlockOp;
import org.jdma.kernel.block.BlockRequest;
import org.jdma.kernel.block.BlockStatus;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.spec.nvme.NvmeCommands;
import org.jdma.spec.nvme.NvmeStatus;
import org.jdma.spec.nvme.SmartLogLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The driver's log readers and health monitor against the controller, with every IOMMU mode and the checker on. */
class NvmeHealthTest {

    static final RequesterId SLOT = RequesterId.of(0, 7, 0);
    static final long WAIT_NS = 5_000_000_000L;

    private Machine machine;
    private Kernel kernel;
    private NvmeDriver nvme;
    private NvmeController controller;
    private final List<HealthMonitor.HealthEvent> events = new ArrayList<>();

    private void boot(IommuMode mode) {
        machine = new Machine(MachineConfig.defaults().withCpus(2).withDevice(NvmeController.spec("nvme0", SLOT, NvmeDriverTest.SMALL)));
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withDmaDebug(true).withDriver(NvmeDriver.driver()));
        nvme = kernel.driver(NvmeDriver.class);
        controller = (NvmeController) machine.device("nvme0");
    }

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    private void finish() {
        kernel.close();
        kernel.dmaDebug().orElseThrow().assertNoReports();
        kernel = null;
    }

    private void io(BlockOp op, long lba, int blocks, DmaBuffer buffer) {
        BlockRequest r = BlockRequest.of(op, lba, blocks, 512, buffer, null);
        assertTrue(nvme.submit(0, r));
        assertTrue(kernel.platform().clock().runUntil(r::isDone, WAIT_NS));
        assertEquals(BlockStatus.OK, r.status());
    }

    private boolean waitForEvents(int n) {
        return kernel.platform().clock().runUntil(() -> events.size() >= n, WAIT_NS);
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldReadSmartCountersMatchingTheIoDoneAndTheOtherLogs(IommuMode mode) {
        boot(mode);
        try (DmaBuffer buffer = kernel.memory().allocate(8 * 512, 4096)) {
            for (int i = 0; i < 3; i++) {
                io(BlockOp.WRITE, 8L * i, 8, buffer);
            }
            for (int i = 0; i < 125; i++) {
                io(BlockOp.READ, 0, 8, buffer);
            }
        }
        SmartLog smart = nvme.smartLog();
        assertEquals(125, smart.hostReadCommands());
        assertEquals(3, smart.hostWriteCommands());
        assertEquals(1, smart.dataUnitsRead(), "1,000 units of 512 bytes");
        assertEquals(1, smart.dataUnitsWritten(), "24 units round up");
        assertEquals(100, smart.availableSpare());
        assertEquals(0, smart.criticalWarning());
        assertEquals(List.of(), nvme.errorLog());
        FirmwareSlots slots = nvme.firmwareSlots();
        assertEquals(1, slots.activeSlot());
        assertEquals("1.0", slots.activeRevision());
        assertEquals("", slots.revisions().get(1));
        finish();
    }

    @Test
    void shouldThrowTheControllerStatusForAnUnknownLogAndFindItInTheErrorLog() {
        boot(IommuMode.STRICT);
        NvmeCommandException e = assertThrows(NvmeCommandException.class, () -> nvme.getLogPage(0x7F, 0, 512));
        assertEquals(NvmeStatus.INVALID_LOG_PAGE, e.status());
        assertThrows(IllegalArgumentException.class, () -> nvme.getLogPage(NvmeCommands.LOG_SMART, 2, 512));
        assertThrows(IllegalArgumentException.class, () -> nvme.getLogPage(NvmeCommands.LOG_SMART, 0, 5000));
        List<ErrorLogEntry> errors = nvme.errorLog();
        assertEquals(1, errors.size());
        assertEquals(NvmeStatus.INVALID_LOG_PAGE, errors.getFirst().status());
        assertEquals(0, errors.getFirst().sqid());
        assertEquals(1, nvme.smartLog().errorLogEntries());
        finish();
    }

    @ParameterizedTest
    @EnumSource(IommuMode.class)
    void shouldSeeASpareBelowThresholdEventExactlyOnceAndTheNextEventAfterTheLogIsRead(IommuMode mode) {
        boot(mode);
        HealthMonitor monitor = nvme.startHealthMonitor(events::add);
        controller.lowerAvailableSpare(5);
        assertTrue(waitForEvents(1));
        HealthMonitor.HealthEvent first = events.getFirst();
        assertEquals(NvmeCommands.AER_TYPE_SMART, first.type());
        assertEquals(NvmeCommands.AER_SMART_SPARE, first.info());
        assertEquals(NvmeCommands.LOG_SMART, first.logPage());
        assertEquals(5, first.smart().availableSpare());
        assertEquals(SmartLogLayout.WARNING_SPARE, first.smart().criticalWarning());
        controller.lowerAvailableSpare(3);
        assertFalse(waitForEvents(2), "the spare stays below the threshold: no second event");
        controller.setTemperature(400);
        assertTrue(waitForEvents(2), "the monitor read the log, so SMART events are unmasked");
        assertEquals(NvmeCommands.AER_SMART_TEMPERATURE, events.get(1).info());
        assertEquals(2, monitor.events());
        finish();
    }

    @Test
    void shouldReArmTheMonitorAfterAControllerReset() {
        boot(IommuMode.LAZY);
        nvme.startHealthMonitor(events::add);
        nvme.reset();
        controller.lowerAvailableSpare(5);
        assertTrue(waitForEvents(1));
        assertEquals(NvmeCommands.AER_SMART_SPARE, events.getFirst().info());
        assertThrows(IllegalStateException.class, () -> nvme.startHealthMonitor(events::add));
        finish();
    }
}
