package org.jdma.kernel.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.kernel.iommu.IommuFault.Kind;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

/** The driver's FR code to generic kind table, row by row against VT-d §7.1.3 Table 25 and §7.1.1. */
class VtdFaultDecoderTest {

    private static final Map<VtdFaultReason, Kind> EXPECTED = new EnumMap<>(Map.ofEntries(
            Map.entry(VtdFaultReason.ROOT_ENTRY_NOT_PRESENT, Kind.BLOCKED),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT, Kind.BLOCKED),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_INVALID, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ADDRESS_BEYOND_MGAW, Kind.OUT_OF_RANGE),
            Map.entry(VtdFaultReason.WRITE_NOT_PERMITTED, Kind.NO_PERMISSION),
            Map.entry(VtdFaultReason.READ_NOT_PERMITTED, Kind.NO_PERMISSION),
            Map.entry(VtdFaultReason.PAGING_ENTRY_INVALID, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ROOT_TABLE_INVALID, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.CONTEXT_TABLE_INVALID, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ROOT_ENTRY_RESERVED, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_RESERVED, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.PAGING_ENTRY_RESERVED, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.BLOCKED_BY_TRANSLATION_TYPE, Kind.BLOCKED),
            Map.entry(VtdFaultReason.INTERRUPT_ADDRESS, Kind.NO_PERMISSION),
            Map.entry(VtdFaultReason.IR_REQUEST_RESERVED, Kind.BLOCKED),
            Map.entry(VtdFaultReason.IR_INDEX_BEYOND_TABLE, Kind.OUT_OF_RANGE),
            Map.entry(VtdFaultReason.IR_ENTRY_NOT_PRESENT, Kind.NOT_PRESENT),
            Map.entry(VtdFaultReason.IR_TABLE_INVALID, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.IR_ENTRY_RESERVED, Kind.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.IR_COMPATIBILITY_BLOCKED, Kind.BLOCKED),
            Map.entry(VtdFaultReason.IR_SOURCE_INVALID, Kind.NO_PERMISSION),
            Map.entry(VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID, Kind.MALFORMED_TABLE)));

    @Test
    void shouldGiveEveryFaultReasonCodeItsGenericKindAndSpecName() {
        assertEquals(VtdFaultReason.values().length, EXPECTED.size());
        for (VtdFaultReason r : VtdFaultReason.values()) {
            assertEquals(EXPECTED.get(r), VtdFaultDecoder.kindOf(r.code()), r.toString());
            assertEquals(new IommuFault.Detail("VT-d", r.code(), r.name()), VtdFaultDecoder.detailOf(r.code()));
        }
    }

    @Test
    void shouldReportACodeTheSpecDoesNotDefineAsUnknownKeepingTheCode() {
        assertEquals(Kind.UNKNOWN, VtdFaultDecoder.kindOf(0x5A));
        assertEquals("VT-d 0x5a unknown", VtdFaultDecoder.detailOf(0x5A).toString());
        assertEquals(Kind.UNKNOWN, VtdFaultDecoder.kindOf(0));
    }
}
