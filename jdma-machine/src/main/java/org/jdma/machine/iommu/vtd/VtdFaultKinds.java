package org.jdma.machine.iommu.vtd;

import java.util.EnumMap;
import java.util.Map;
import org.jdma.machine.bus.FaultDetail;
import org.jdma.machine.bus.FaultReason;
import org.jdma.spec.vtd.VtdFaultReason;

/**
 * What each VT-d fault reason (§7.1.3, Table 25) means on the bus, in the generic terms of
 * {@link FaultReason}; the VT-d code and name travel along as the {@link FaultDetail}. One table,
 * one row per reason:
 *
 * <pre>
 * 0x1 ROOT_ENTRY_NOT_PRESENT        BLOCKED          no context for any device on the bus
 * 0x2 CONTEXT_ENTRY_NOT_PRESENT     BLOCKED          the device has no domain (a blocking domain)
 * 0x3 CONTEXT_ENTRY_INVALID         MALFORMED_TABLE  AW not in SAGAW, TT not supported
 * 0x4 ADDRESS_BEYOND_MGAW           OUT_OF_RANGE     beyond the domain's address width
 * 0x5 WRITE_NOT_PERMITTED           NO_PERMISSION    legacy mode reports an absent page this way too
 * 0x6 READ_NOT_PERMITTED            NO_PERMISSION    (the leaf's R and W are both 0)
 * 0x7 PAGING_ENTRY_INVALID          MALFORMED_TABLE  a paging entry could not be read
 * 0x8 ROOT_TABLE_INVALID            MALFORMED_TABLE  the root entry could not be read
 * 0x9 CONTEXT_TABLE_INVALID         MALFORMED_TABLE  the context entry could not be read
 * 0xA ROOT_ENTRY_RESERVED           MALFORMED_TABLE
 * 0xB CONTEXT_ENTRY_RESERVED        MALFORMED_TABLE
 * 0xC PAGING_ENTRY_RESERVED         MALFORMED_TABLE
 * 0xD BLOCKED_BY_TRANSLATION_TYPE   BLOCKED
 * 0xE INTERRUPT_ADDRESS             NO_PERMISSION    the translation points into the interrupt range
 * 0x20 IR_REQUEST_RESERVED           BLOCKED          a malformed interrupt request
 * 0x21 IR_INDEX_BEYOND_TABLE         OUT_OF_RANGE     index at or above 2^(IRTA.S+1)
 * 0x22 IR_ENTRY_NOT_PRESENT          NOT_PRESENT      the IRTE's P bit is clear
 * 0x23 IR_TABLE_INVALID              MALFORMED_TABLE  the IRTE could not be read
 * 0x24 IR_ENTRY_RESERVED             MALFORMED_TABLE
 * 0x25 IR_COMPATIBILITY_BLOCKED      BLOCKED          compatibility format while CFI is clear
 * 0x26 IR_SOURCE_INVALID             NO_PERMISSION    another requester's entry (SVT/SQ/SID)
 * 0x27 IR_POSTED_DESCRIPTOR_INVALID  MALFORMED_TABLE
 * </pre>
 *
 * Legacy-mode VT-d has no separate "not present" reason for a page (§3.7: a second-level entry with
 * R = W = 0 is a permission fault), so {@link FaultReason#NOT_PRESENT} comes from this unit only for
 * an interrupt request whose IRTE is not present.
 */
final class VtdFaultKinds {
    private VtdFaultKinds() { }

    /** The {@link FaultDetail#source()} of every VT-d fault. */
    static final String SOURCE = "VT-d";

    private static final Map<VtdFaultReason, FaultReason> KINDS = new EnumMap<>(VtdFaultReason.class);
    private static final Map<VtdFaultReason, FaultDetail> DETAILS = new EnumMap<>(VtdFaultReason.class);

    static {
        row(VtdFaultReason.ROOT_ENTRY_NOT_PRESENT, FaultReason.BLOCKED);
        row(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT, FaultReason.BLOCKED);
        row(VtdFaultReason.CONTEXT_ENTRY_INVALID, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.ADDRESS_BEYOND_MGAW, FaultReason.OUT_OF_RANGE);
        row(VtdFaultReason.WRITE_NOT_PERMITTED, FaultReason.NO_PERMISSION);
        row(VtdFaultReason.READ_NOT_PERMITTED, FaultReason.NO_PERMISSION);
        row(VtdFaultReason.PAGING_ENTRY_INVALID, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.ROOT_TABLE_INVALID, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.CONTEXT_TABLE_INVALID, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.ROOT_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.CONTEXT_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.PAGING_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.BLOCKED_BY_TRANSLATION_TYPE, FaultReason.BLOCKED);
        row(VtdFaultReason.INTERRUPT_ADDRESS, FaultReason.NO_PERMISSION);
        row(VtdFaultReason.IR_REQUEST_RESERVED, FaultReason.BLOCKED);
        row(VtdFaultReason.IR_INDEX_BEYOND_TABLE, FaultReason.OUT_OF_RANGE);
        row(VtdFaultReason.IR_ENTRY_NOT_PRESENT, FaultReason.NOT_PRESENT);
        row(VtdFaultReason.IR_TABLE_INVALID, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.IR_ENTRY_RESERVED, FaultReason.MALFORMED_TABLE);
        row(VtdFaultReason.IR_COMPATIBILITY_BLOCKED, FaultReason.BLOCKED);
        row(VtdFaultReason.IR_SOURCE_INVALID, FaultReason.NO_PERMISSION);
        row(VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID, FaultReason.MALFORMED_TABLE);
        if (KINDS.size() != VtdFaultReason.values().length) {
            throw new AssertionError("a VT-d fault reason has no generic kind");
        }
    }

    private static void row(VtdFaultReason reason, FaultReason kind) {
        KINDS.put(reason, kind);
        DETAILS.put(reason, new FaultDetail(SOURCE, reason.code(), reason.name()));
    }

    /** The generic kind of {@code reason}. */
    static FaultReason kindOf(VtdFaultReason reason) {
        return KINDS.get(reason);
    }

    /** "VT-d 0xN NAME": the reason as the spec names it. */
    static FaultDetail detailOf(VtdFaultReason reason) {
        return DETAILS.get(reason);
    }
}
