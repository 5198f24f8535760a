package org.jdma.machine.dev.nvme;

import static org.jdma.machine.dev.nvme.NvmeRig.DATA;
import static org.jdma.machine.dev.nvme.NvmeRig.rw;
import static org.jdma.machine.dev.nvme.NvmeRig.sqe;
import static org.jdma.spec.nvme.NvmeCommands.*;
import static org.jdma.spec.nvme.NvmeStatus.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.ErrorLogEntryLayout;
import org.jdma.spec.nvme.FirmwareSlotLogLayout;
import org.jdma.spec.nvme.IdentifyControllerLayout;
import org.jdma.spec.nvme.SmartLogLayout;
import org.junit.jupiter.api.Test;

/** Get Log Page through real admin commands: the three mandatory logs, their errors, and the events they clear. */
class NvmeLogPageTest {

    static NvmeRig rig() {
        return new NvmeRig(NvmeConfig.DEFAULT.withIoQueuePairs(2)).busMaster().msix(3).enable();
    }

    static Sqe getLog(int lid, boolean rae, long bytes, long offset) {
        return sqe(ADMIN_GET_LOG_PAGE).prp1(DATA).cdw(10, getLogCdw10(lid, rae, bytes / 4)).cdw(11, getLogCdw11(bytes / 4))
                .cdw64(12, offset);
    }

    static NvmeRig.Cqe readLog(NvmeRig rig, int lid, boolean rae) {
        NvmeRig.Cqe c = rig.admin(getLog(lid, rae, 512, 0));
        assertEquals(SUCCESS, c.status(), c.toString());
        return c;
    }

    static void io(NvmeRig rig, NvmeRig.Pair p, Sqe e) {
        rig.submit(p, e);
        assertEquals(SUCCESS, rig.await(p).status());
    }

    @Test
    void shouldCountIoInTheSmartLogRoundingDataUnitsUp() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            for (int i = 0; i < 3; i++) {
                io(rig, p, rw(NVM_WRITE, 8L * i, 8, DATA + 0x10000, 0)); // 8 units of 512 bytes each
            }
            for (int i = 0; i < 125; i++) { // 1,000 units of 512 bytes: exactly one Data Unit
                io(rig, p, rw(NVM_READ, 0, 8, DATA + 0x10000, 0));
            }
            readLog(rig, LOG_SMART, false);
            assertEquals(1, rig.cpu.read64(DATA + SmartLogLayout.DATA_UNITS_READ));
            assertEquals(1, rig.cpu.read64(DATA + SmartLogLayout.DATA_UNITS_WRITTEN), "24 units round up to one");
            assertEquals(125, rig.cpu.read64(DATA + SmartLogLayout.HOST_READ_COMMANDS));
            assertEquals(3, rig.cpu.read64(DATA + SmartLogLayout.HOST_WRITE_COMMANDS));
            io(rig, p, rw(NVM_READ, 0, 1, DATA + 0x10000, 0));
            readLog(rig, LOG_SMART, false);
            assertEquals(2, rig.cpu.read64(DATA + SmartLogLayout.DATA_UNITS_READ), "1,001 units round up to two");
            assertEquals(0, rig.cpu.read64(DATA + SmartLogLayout.DATA_UNITS_READ + 8), "upper half of the 128-bit counter");
        }
    }

    @Test
    void shouldReportHealthStateAndPowerOnHoursFromModeledTime() {
        try (NvmeRig rig = rig()) {
            rig.runFor(2 * 3_600_000_000_000L + 1);
            readLog(rig, LOG_SMART, false);
            assertEquals(0, rig.cpu.read8(DATA + SmartLogLayout.CRITICAL_WARNING));
            assertEquals(HealthLog.DEFAULT_TEMPERATURE_K, rig.cpu.read16(DATA + SmartLogLayout.COMPOSITE_TEMPERATURE) & 0xFFFF);
            assertEquals(100, rig.cpu.read8(DATA + SmartLogLayout.AVAILABLE_SPARE));
            assertEquals(10, rig.cpu.read8(DATA + SmartLogLayout.AVAILABLE_SPARE_THRESHOLD));
            assertEquals(2, rig.cpu.read64(DATA + SmartLogLayout.POWER_ON_HOURS));
            assertEquals(1, rig.cpu.read64(DATA + SmartLogLayout.POWER_CYCLES));
            rig.nvme.lowerAvailableSpare(7);
            readLog(rig, LOG_SMART, false);
            assertEquals(SmartLogLayout.WARNING_SPARE, rig.cpu.read8(DATA + SmartLogLayout.CRITICAL_WARNING));
            assertEquals(7, rig.cpu.read8(DATA + SmartLogLayout.AVAILABLE_SPARE));
            assertThrows(IllegalArgumentException.class, () -> rig.nvme.lowerAvailableSpare(101));
        }
    }

    @Test
    void shouldRecordFailedCommandsInTheErrorLogMostRecentFirst() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Pair p = rig.createPair(1, 16, 1);
            long beyond = NvmeConfig.DEFAULT.namespaces().getFirst().blocks() + 5;
            int ioCid = rig.submit(p, rw(NVM_READ, beyond, 1, DATA + 0x10000, 0));
            assertEquals(LBA_OUT_OF_RANGE, rig.await(p).status());
            int adminCid = rig.submit(rig.admin, sqe(0x7E));
            assertEquals(INVALID_OPCODE, rig.await(rig.admin).status());
            assertEquals(SUCCESS, rig.admin(getLog(LOG_ERROR_INFORMATION, false, 4096, 0)).status());
            long first = DATA + ErrorLogEntryLayout.entry(0);
            assertEquals(2, rig.cpu.read64(first + ErrorLogEntryLayout.ERROR_COUNT));
            assertEquals(0, rig.cpu.read16(first + ErrorLogEntryLayout.SQID));
            assertEquals(adminCid, rig.cpu.read16(first + ErrorLogEntryLayout.CID) & 0xFFFF);
            long second = DATA + ErrorLogEntryLayout.entry(1);
            assertEquals(1, rig.cpu.read64(second + ErrorLogEntryLayout.ERROR_COUNT));
            assertEquals(1, rig.cpu.read16(second + ErrorLogEntryLayout.SQID));
            assertEquals(ioCid, rig.cpu.read16(second + ErrorLogEntryLayout.CID) & 0xFFFF);
            assertEquals(CompletionEntryLayout.statusWord(LBA_OUT_OF_RANGE, true, 0),
                    rig.cpu.read16(second + ErrorLogEntryLayout.STATUS_FIELD) & 0xFFFF);
            assertEquals(beyond, rig.cpu.read64(second + ErrorLogEntryLayout.LBA));
            assertEquals(1, rig.cpu.read32(second + ErrorLogEntryLayout.NAMESPACE));
            assertEquals(0, rig.cpu.read64(DATA + ErrorLogEntryLayout.entry(2)), "an unused entry has error count 0");
            readLog(rig, LOG_SMART, false);
            assertEquals(2, rig.cpu.read64(DATA + SmartLogLayout.ERROR_LOG_ENTRIES));
        }
    }

    @Test
    void shouldKeepOnlyTheLastSixtyFourErrorsAndSayHowManyInIdentify() {
        try (NvmeRig rig = rig()) {
            for (int i = 0; i < 70; i++) {
                rig.admin(sqe(0x7E));
            }
            assertEquals(SUCCESS, rig.admin(sqe(ADMIN_IDENTIFY).prp1(DATA).cdw(10, CNS_CONTROLLER)).status());
            assertEquals(63, rig.cpu.read8(DATA + IdentifyControllerLayout.ELPE));
            assertEquals(SUCCESS, rig.admin(getLog(LOG_ERROR_INFORMATION, false, 4096, 0)).status());
            assertEquals(70, rig.cpu.read64(DATA + ErrorLogEntryLayout.entry(0)));
            assertEquals(7, rig.cpu.read64(DATA + ErrorLogEntryLayout.entry(63)), "the oldest kept is the 7th");
        }
    }

    @Test
    void shouldReturnTheFirmwareSlotLogWithSlotOneActive() {
        try (NvmeRig rig = rig()) {
            readLog(rig, LOG_FIRMWARE_SLOT, false);
            assertEquals(FirmwareSlotLogLayout.afi(1, 0), rig.cpu.read8(DATA + FirmwareSlotLogLayout.AFI));
            byte[] frs1 = new byte[FirmwareSlotLogLayout.FRS_LENGTH];
            rig.cpu.read(DATA + FirmwareSlotLogLayout.frs(1), frs1);
            assertEquals("1.0     ", new String(frs1, StandardCharsets.US_ASCII));
            assertEquals(0, rig.cpu.read64(DATA + FirmwareSlotLogLayout.frs(2)), "an empty slot");
        }
    }

    @Test
    void shouldReadFromTheOffsetAndReturnZeroesPastTheEndOfTheLog() {
        try (NvmeRig rig = rig()) {
            rig.nvme.setTemperature(330);
            rig.cpu.fill(DATA, 4096, (byte) 0xEE);
            assertEquals(SUCCESS, rig.admin(getLog(LOG_SMART, false, 4, 0)).status());
            assertEquals(0xEEEEEEEE, rig.cpu.read32(DATA + 4), "one dword moved, no more");
            assertEquals(330, rig.cpu.read16(DATA + SmartLogLayout.COMPOSITE_TEMPERATURE) & 0xFFFF);
            assertEquals(SUCCESS, rig.admin(getLog(LOG_SMART, false, 8, 200)).status());
            assertEquals(330, rig.cpu.read16(DATA) & 0xFFFF, "temperature sensor 1 at offset 200");
            rig.cpu.fill(DATA, 4096, (byte) 0xEE);
            assertEquals(SUCCESS, rig.admin(getLog(LOG_FIRMWARE_SLOT, false, 16, 508)).status());
            assertEquals(0, rig.cpu.read64(DATA + 8), "bytes past the 512-byte log read as zero");
        }
    }

    @Test
    void shouldRefuseUnknownLogsAndBadOffsetsAndLogTheFailures() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Cqe c = rig.admin(getLog(0x7F, false, 512, 0));
            assertEquals(INVALID_LOG_PAGE, c.status());
            assertEquals(SCT_COMMAND_SPECIFIC, sct(c.status()));
            assertEquals(INVALID_FIELD, rig.admin(getLog(LOG_SMART, false, 512, 2)).status(), "not dword aligned");
            assertEquals(INVALID_FIELD, rig.admin(getLog(LOG_SMART, false, 512, 512)).status(), "beyond the log");
            assertEquals(INVALID_FIELD, rig.admin(getLog(LOG_SMART, false, 512, 1L << 40)).status(), "LPOU set");
            assertEquals(INVALID_FIELD, rig.admin(getLog(LOG_ERROR_INFORMATION, false, 1L << 20, 0)).status(), "above MDTS");
            assertEquals(5, rig.nvme.errorsLogged());
        }
    }

    @Test
    void shouldFailWithDataTransferErrorWhenTheLogBufferIsNotMemoryAndKeepRunning() {
        try (NvmeRig rig = rig()) {
            NvmeRig.Cqe c = rig.admin(getLog(LOG_SMART, false, 512, 0).prp1(0x40_0000_0000L));
            assertEquals(DATA_TRANSFER_ERROR, c.status());
            readLog(rig, LOG_SMART, false);
            assertEquals(1, rig.cpu.read64(DATA + SmartLogLayout.ERROR_LOG_ENTRIES));
        }
    }
}
