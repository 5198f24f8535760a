package org.jdma.machine.iommu.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import org.jdma.machine.bus.FaultDetail;
import org.jdma.machine.bus.FaultReason;
import org.jdma.spec.vtd.VtdFaultReason;
import org.junit.jupiter.api.Test;

/** The VT-d fault reason to generic kind table, row by row against §7.1.3 Table 25 and the interrupt-remapping reasons of §7.1.1. */
class VtdFaultKindsTest {

    private static final Map<VtdFaultReason, FaultReason> EXPECTED = new EnumMap<>(Map.ofEntries(
            Map.entry(VtdFaultReason.ROOT_ENTRY_NOT_PRESENT, FaultReason.BLOCKED),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT, FaultReason.BLOCKED),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_INVALID, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ADDRESS_BEYOND_MGAW, FaultReason.OUT_OF_RANGE),
            Map.entry(VtdFaultReason.WRITE_NOT_PERMITTED, FaultReason.NO_PERMISSION),
            Map.entry(VtdFaultReason.READ_NOT_PERMITTED, FaultReason.NO_PERMISSION),
            Map.entry(VtdFaultReason.PAGING_ENTRY_INVALID, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ROOT_TABLE_INVALID, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.CONTEXT_TABLE_INVALID, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.ROOT_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.CONTEXT_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.PAGING_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.BLOCKED_BY_TRANSLATION_TYPE, FaultReason.BLOCKED),
            Map.entry(VtdFaultReason.INTERRUPT_ADDRESS, FaultReason.NO_PERMISSION),
            Map.entry(VtdFaultReason.IR_REQUEST_RESERVED, FaultReason.BLOCKED),
            Map.entry(VtdFaultReason.IR_INDEX_BEYOND_TABLE, FaultReason.OUT_OF_RANGE),
            Map.entry(VtdFaultReason.IR_ENTRY_NOT_PRESENT, FaultReason.NOT_PRESENT),
            Map.entry(VtdFaultReason.IR_TABLE_INVALID, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.IR_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE),
            Map.entry(VtdFaultReason.IR_COMPATIBILITY_BLOCKED, FaultReason.BLOCKED),
            Map.entry(VtdFaultReason.IR_SOURCE_INVALID, FaultReason.NO_PERMISSION),
            Map.entry(VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID, FaultReason.MALFORMED_TABLE)));

    @Test
    void shouldGiveEveryVtdFaultReasonItsGenericKind() {
        assertEquals(VtdFaultReason.values().length, EXPECTED.size());
        for (VtdFaultReason r : VtdFaultReason.values()) {
            assertEquals(EXPECTED.get(r), VtdFaultKinds.kindOf(r), r.toString());
            assertTrue(VtdFaultKinds.kindOf(r).translation(), r + " is a translation fault, not a bus-level one");
        }
    }

    @Test
    void shouldCarryTheSpecCodeAndNameAsDetail() {
        for (VtdFaultReason r : VtdFaultReason.values()) {
            FaultDetail d = VtdFaultKinds.detailOf(r);
            assertEquals(new FaultDetail("VT-d", r.code(), r.name()), d);
        }
        assertEquals("VT-d 0x5 WRITE_NOT_PERMITTED", VtdFaultKinds.detailOf(VtdFaultReason.WRITE_NOT_PERMITTED).toString());
    }
}
