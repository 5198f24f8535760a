package org.jdma.spec.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The datasheet against the numbers of Linux's {@code include/linux/nvme.h} and the base spec's figures. */
class NvmeLayoutTest {

    @Test
    void shouldPlaceSubmissionEntryFieldsAtTheirByteOffsets() {
        assertEquals(64, SubmissionEntryLayout.SIZE);
        assertEquals(1 << SubmissionEntryLayout.SIZE_LOG2, SubmissionEntryLayout.SIZE);
        assertEquals(2, SubmissionEntryLayout.CID);
        assertEquals(4, SubmissionEntryLayout.NSID);
        assertEquals(16, SubmissionEntryLayout.MPTR);
        assertEquals(24, SubmissionEntryLayout.PRP1);
        assertEquals(32, SubmissionEntryLayout.PRP2);
        assertEquals(40, SubmissionEntryLayout.CDW10);
        assertEquals(60, SubmissionEntryLayout.CDW15);
        assertEquals(SubmissionEntryLayout.CDW12, SubmissionEntryLayout.cdw(12));
        assertEquals(0x40, SubmissionEntryLayout.flags(SubmissionEntryLayout.PSDT_SGL_MPTR_CONTIGUOUS));
        assertEquals(2, SubmissionEntryLayout.psdt(0x80));
    }

    @Test
    void shouldPlaceCompletionEntryFieldsAndStatusBitsWhereTheSpecHasThem() {
        assertEquals(16, CompletionEntryLayout.SIZE);
        assertEquals(8, CompletionEntryLayout.SQHD);
        assertEquals(10, CompletionEntryLayout.SQID);
        assertEquals(12, CompletionEntryLayout.CID);
        assertEquals(14, CompletionEntryLayout.STATUS);
        // Invalid Queue Size (SCT 1, SC 02h) with DNR and phase 1: SC in 8:1, SCT in 11:9, DNR 15
        int word = CompletionEntryLayout.statusWord(NvmeStatus.INVALID_QUEUE_SIZE, true, 1);
        assertEquals(0x02 << 1 | 1 << 9 | 1 << 15 | 1, word);
        assertEquals(NvmeStatus.INVALID_QUEUE_SIZE, CompletionEntryLayout.status(word));
        assertTrue(CompletionEntryLayout.dnr(word));
        assertEquals(1, CompletionEntryLayout.phase(word));
        assertFalse(CompletionEntryLayout.more(word));
        assertEquals(NvmeStatus.SCT_COMMAND_SPECIFIC, NvmeStatus.sct(NvmeStatus.INVALID_QUEUE_SIZE));
        assertEquals(NvmeStatus.SCT_MEDIA, NvmeStatus.sct(NvmeStatus.UNRECOVERED_READ_ERROR));
    }

    @Test
    void shouldSpaceDoorbellsByTheStrideCapDstrdGives() {
        assertEquals(0x1000, NvmeRegisters.sqTailDoorbell(0, 0));
        assertEquals(0x1004, NvmeRegisters.cqHeadDoorbell(0, 0));
        assertEquals(0x1008, NvmeRegisters.sqTailDoorbell(1, 0));
        assertEquals(0x1000 + 2 * 3 * 16, NvmeRegisters.sqTailDoorbell(3, 2));
        assertEquals(0x1000 + 7 * 16, NvmeRegisters.cqHeadDoorbell(3, 2));
        long cap = NvmeRegisters.cap(1023, true, 20, 2, 0, 4);
        assertEquals(1023, NvmeRegisters.capMqes(cap));
        assertEquals(20, NvmeRegisters.capTimeout(cap));
        assertEquals(2, NvmeRegisters.capDstrd(cap));
        assertEquals(4, NvmeRegisters.capMpsMax(cap));
        assertTrue((cap & NvmeRegisters.CAP_CSS_NVM) != 0);
        assertEquals(0x00010400, NvmeRegisters.VS_1_4);
    }

    @Test
    void shouldEncodeControllerConfigurationAsLinuxEnablesIt() {
        // Linux nvme_enable_ctrl: CSS NVM, MPS 0, AMS RR, IOSQES 6 (bits 19:16), IOCQES 4 (23:20), EN
        assertEquals(0x0046_0001, NvmeRegisters.ccEnable(0));
        assertEquals(6, NvmeRegisters.ccIosqes(NvmeRegisters.ccEnable(0)));
        assertEquals(1 << 14, NvmeRegisters.CC_SHN_NORMAL);
        assertEquals(2 << 2, NvmeRegisters.CSTS_SHST_COMPLETE);
        assertEquals(0x001F_001F, NvmeRegisters.aqa(32, 32));
    }

    @Test
    void shouldCountPrpEntriesByThePageOffsetRules() {
        long page = 4096;
        assertEquals(4096 - 0x200, PrpLayout.firstLength(0x10200, page));
        assertEquals(0, PrpLayout.entriesAfterFirst(0x10200, 0xE00, page));
        assertEquals(1, PrpLayout.entriesAfterFirst(0x10200, 0xE01, page));
        assertEquals(2, PrpLayout.entriesAfterFirst(0x10000, 3 * 4096, page));
        assertEquals(512, PrpLayout.entriesInListPage(0x20000, page));
        assertEquals(480, PrpLayout.entriesInListPage(0x20100, page));
    }

    @Test
    void shouldPlaceIdentifyFieldsAtTheOffsetsOfLinuxStructs() {
        assertEquals(77, IdentifyControllerLayout.MDTS);
        assertEquals(512, IdentifyControllerLayout.SQES);
        assertEquals(516, IdentifyControllerLayout.NN);
        assertEquals(520, IdentifyControllerLayout.ONCS);
        assertEquals(536, IdentifyControllerLayout.SGLS);
        assertEquals(0x66, IdentifyControllerLayout.entrySizes(6, 6));
        assertEquals(26, IdentifyNamespaceLayout.FLBAS);
        assertEquals(128 + 4, IdentifyNamespaceLayout.lbaf(1));
        assertEquals(12, IdentifyNamespaceLayout.lbads(IdentifyNamespaceLayout.lbaFormat(12)));
        assertEquals(1024, ActiveNamespaceListLayout.MAX_ENTRIES);
        assertEquals(0x30, SglDescriptorLayout.identifier(SglDescriptorLayout.TYPE_LAST_SEGMENT));
        assertEquals(SglDescriptorLayout.TYPE_SEGMENT, SglDescriptorLayout.type(0x20));
        assertEquals(0x0001_0002, NvmeCommands.numberOfQueues(3, 2));
        assertEquals(0x0005_0003, NvmeCommands.createCqCdw11(5, true));
        assertEquals(0x003F_0007, NvmeCommands.createQueueCdw10(7, 64));
    }

    @Test
    void shouldPlaceErrorLogEntryFieldsAtTheOffsetsOfLinuxNvmeErrorLogPage() {
        assertEquals(64, ErrorLogEntryLayout.SIZE);
        assertEquals(8, ErrorLogEntryLayout.SQID);
        assertEquals(10, ErrorLogEntryLayout.CID);
        assertEquals(12, ErrorLogEntryLayout.STATUS_FIELD);
        assertEquals(14, ErrorLogEntryLayout.PARAMETER_ERROR_LOCATION);
        assertEquals(16, ErrorLogEntryLayout.LBA);
        assertEquals(24, ErrorLogEntryLayout.NAMESPACE);
        assertEquals(29, ErrorLogEntryLayout.TRANSPORT_TYPE);
        assertEquals(32, ErrorLogEntryLayout.COMMAND_SPECIFIC);
        assertEquals(40, ErrorLogEntryLayout.TRANSPORT_SPECIFIC);
        assertEquals(4 | 3 << 8, ErrorLogEntryLayout.parameterErrorLocation(4, 3));
        assertEquals(0x02 << 1 | 1 << 9 | 1 << 15, ErrorLogEntryLayout.statusField(NvmeStatus.INVALID_QUEUE_SIZE, true),
                "status as in a CQE, phase bit clear");
    }

    @Test
    void shouldPlaceSmartLogFieldsAtTheOffsetsOfLinuxNvmeSmartLog() {
        assertEquals(512, SmartLogLayout.SIZE);
        assertEquals(1, SmartLogLayout.COMPOSITE_TEMPERATURE);
        assertEquals(3, SmartLogLayout.AVAILABLE_SPARE);
        assertEquals(4, SmartLogLayout.AVAILABLE_SPARE_THRESHOLD);
        assertEquals(5, SmartLogLayout.PERCENTAGE_USED);
        assertEquals(32, SmartLogLayout.DATA_UNITS_READ);
        assertEquals(48, SmartLogLayout.DATA_UNITS_WRITTEN);
        assertEquals(64, SmartLogLayout.HOST_READ_COMMANDS);
        assertEquals(80, SmartLogLayout.HOST_WRITE_COMMANDS);
        assertEquals(96, SmartLogLayout.CONTROLLER_BUSY_TIME);
        assertEquals(112, SmartLogLayout.POWER_CYCLES);
        assertEquals(128, SmartLogLayout.POWER_ON_HOURS);
        assertEquals(144, SmartLogLayout.UNSAFE_SHUTDOWNS);
        assertEquals(160, SmartLogLayout.MEDIA_ERRORS);
        assertEquals(176, SmartLogLayout.ERROR_LOG_ENTRIES);
        assertEquals(192, SmartLogLayout.WARNING_TEMPERATURE_TIME);
        assertEquals(200, SmartLogLayout.TEMPERATURE_SENSOR_1);
    }

    @Test
    void shouldRoundDataUnitsUpToThousandsOf512ByteUnits() {
        assertEquals(0, SmartLogLayout.dataUnits(0));
        assertEquals(1, SmartLogLayout.dataUnits(1));
        assertEquals(1, SmartLogLayout.dataUnits(1000));
        assertEquals(2, SmartLogLayout.dataUnits(1001));
    }

    @Test
    void shouldPlaceFirmwareSlotsAfterTheActiveFirmwareInfo() {
        assertEquals(512, FirmwareSlotLogLayout.SIZE);
        assertEquals(8, FirmwareSlotLogLayout.frs(1));
        assertEquals(56, FirmwareSlotLogLayout.frs(7));
        assertEquals(0x21, FirmwareSlotLogLayout.afi(1, 2));
        assertThrows(IllegalArgumentException.class, () -> FirmwareSlotLogLayout.frs(8));
        assertEquals(0x3, IdentifyControllerLayout.frmw(1, true));
    }

    @Test
    void shouldEncodeGetLogPageDwordCountsZerosBased() {
        int cdw10 = NvmeCommands.getLogCdw10(NvmeCommands.LOG_SMART, true, 128);
        assertEquals(0x02 | 1 << 15 | 127 << 16, cdw10);
        assertEquals(0, NvmeCommands.getLogCdw11(128));
        assertEquals(0xFFFF << 16, NvmeCommands.getLogCdw10(1, false, 1L << 16) & 0xFFFF_0000);
        assertEquals(1, NvmeCommands.getLogCdw11(1L << 17));
    }
}
