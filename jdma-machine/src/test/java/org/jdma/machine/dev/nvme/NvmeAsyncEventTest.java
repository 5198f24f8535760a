package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeLogPageTest.readLog;
import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.sqe;
import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.SUCCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jdma.spec.nvme.SmartLogLayout;
import org.junit.jupiter.api.Test;

/** SMART / Health asynchronous events: configuration, the per-type mask and RAE. */
class NvmeAsyncEventTest {

    static final int SPARE_EVENT = asyncEvent(AER_TYPE_SMART, AER_SMART_SPARE, LOG_SMART);
    static final int TEMPERATURE_EVENT = asyncEvent(AER_TYPE_SMART, AER_SMART_TEMPERATURE, LOG_SMART);

    static void configureEvents(NvmeRig rig, int warnings) {
        assertEquals(SUCCESS, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_ASYNC_EVENT_CONFIG).cdw(11, warnings)).status());
    }

    static NvmeRig.Cqe pending(NvmeRig rig) {
        rig.runIdle();
        return rig.peek(rig.admin);
    }

    @Test
    void shouldCompleteAnEventRequestWhenTheSpareFallsBelowTheThreshold() {
        try (NvmeRig rig = NvmeLogPageTest.rig()) {
            configureEvents(rig, SmartLogLayout.WARNING_SPARE | SmartLogLayout.WARNING_TEMPERATURE);
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            rig.nvme.lowerAvailableSpare(50);
            assertNull(pending(rig), "50 % is above the 10 % threshold");
            rig.nvme.lowerAvailableSpare(5);
            NvmeRig.Cqe e = rig.await(rig.admin);
            assertEquals(SUCCESS, e.status());
            assertEquals(SPARE_EVENT, e.dw0());
            assertEquals(AER_TYPE_SMART, e.dw0() & AER_TYPE_MASK);
            assertEquals(LOG_SMART, e.dw0() >>> AER_LOG_PAGE_SHIFT & 0xFF);
        }
    }

    @Test
    void shouldMaskFurtherSmartEventsUntilTheLogIsReadWithoutRetain() {
        try (NvmeRig rig = NvmeLogPageTest.rig()) {
            configureEvents(rig, SmartLogLayout.WARNING_SPARE | SmartLogLayout.WARNING_TEMPERATURE);
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            rig.nvme.lowerAvailableSpare(5);
            assertEquals(SPARE_EVENT, rig.await(rig.admin).dw0());
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            rig.nvme.setTemperature(400);
            assertNull(pending(rig), "SMART events are masked after one was reported");
            readLog(rig, LOG_SMART, true);
            assertEquals(SmartLogLayout.WARNING_SPARE | SmartLogLayout.WARNING_TEMPERATURE,
                    rig.cpu.read8(DATA + SmartLogLayout.CRITICAL_WARNING));
            assertNull(pending(rig), "reading with RAE set keeps the mask");
            readLog(rig, LOG_ERROR_INFORMATION, false);
            assertNull(pending(rig), "reading another log clears nothing");
            readLog(rig, LOG_SMART, false);
            assertEquals(TEMPERATURE_EVENT, rig.await(rig.admin).dw0(), "reading with RAE clear delivers the held event");
        }
    }

    @Test
    void shouldRaiseNoEventForAWarningTheConfigurationDisables() {
        try (NvmeRig rig = NvmeLogPageTest.rig()) {
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            rig.nvme.lowerAvailableSpare(5);
            assertNull(pending(rig), "no SMART event is enabled after reset");
            configureEvents(rig, SmartLogLayout.WARNING_TEMPERATURE);
            assertNull(pending(rig));
            NvmeRig.Cqe get = rig.admin(sqe(ADMIN_GET_FEATURES).cdw(10, FID_ASYNC_EVENT_CONFIG));
            assertEquals(SmartLogLayout.WARNING_TEMPERATURE, get.dw0());
            configureEvents(rig, SmartLogLayout.WARNING_SPARE);
            assertEquals(SPARE_EVENT, rig.await(rig.admin).dw0(), "enabling reports the warning present");
        }
    }

    @Test
    void shouldRaiseATemperatureEventWhenTheThresholdDropsBelowTheTemperature() {
        try (NvmeRig rig = NvmeLogPageTest.rig()) {
            configureEvents(rig, SmartLogLayout.WARNING_TEMPERATURE);
            rig.submit(rig.admin, sqe(ADMIN_ASYNC_EVENT_REQUEST));
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_SET_FEATURES).cdw(10, FID_TEMPERATURE_THRESHOLD).cdw(11, 300)).status());
            assertEquals(TEMPERATURE_EVENT, rig.await(rig.admin).dw0());
            assertEquals(300, rig.admin(sqe(ADMIN_GET_FEATURES).cdw(10, FID_TEMPERATURE_THRESHOLD)).dw0());
            readLog(rig, LOG_SMART, false);
            assertEquals(SmartLogLayout.WARNING_TEMPERATURE, rig.cpu.read8(DATA + SmartLogLayout.CRITICAL_WARNING));
        }
    }
}
