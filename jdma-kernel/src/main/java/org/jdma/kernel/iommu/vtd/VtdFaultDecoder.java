package org.jdma.kernel.iommu.vtd;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.spec.vtd.VtdFaultReason;

/**
 * How the VT-d driver turns a fault record's FR code (VT-d §7.1.3, Table 25) into the generic
 * {@link IommuFault.Kind} and {@link IommuFault.Detail} the IOMMU layer reports. One table, one row
 * per reason:
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
 * other                             UNKNOWN          "unknown"
 * </pre>
 */
final class VtdFaultDecoder {
    private VtdFaultDecoder() { }

    /** {@link IommuFault.Detail#iommu()} of every VT-d fault. */
    static final String IOMMU = "VT-d";

    private static final Map<VtdFaultReason, IommuFault.Kind> KINDS = new EnumMap<>(VtdFaultReason.class);

    static {
        KINDS.put(VtdFaultReason.ROOT_ENTRY_NOT_PRESENT, IommuFault.Kind.BLOCKED);
        KINDS.put(VtdFaultReason.CONTEXT_ENTRY_NOT_PRESENT, IommuFault.Kind.BLOCKED);
        KINDS.put(VtdFaultReason.CONTEXT_ENTRY_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.ADDRESS_BEYOND_MGAW, IommuFault.Kind.OUT_OF_RANGE);
        KINDS.put(VtdFaultReason.WRITE_NOT_PERMITTED, IommuFault.Kind.NO_PERMISSION);
        KINDS.put(VtdFaultReason.READ_NOT_PERMITTED, IommuFault.Kind.NO_PERMISSION);
        KINDS.put(VtdFaultReason.PAGING_ENTRY_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.ROOT_TABLE_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.CONTEXT_TABLE_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.ROOT_ENTRY_RESERVED, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.CONTEXT_ENTRY_RESERVED, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.PAGING_ENTRY_RESERVED, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.BLOCKED_BY_TRANSLATION_TYPE, IommuFault.Kind.BLOCKED);
        KINDS.put(VtdFaultReason.INTERRUPT_ADDRESS, IommuFault.Kind.NO_PERMISSION);
        KINDS.put(VtdFaultReason.IR_REQUEST_RESERVED, IommuFault.Kind.BLOCKED);
        KINDS.put(VtdFaultReason.IR_INDEX_BEYOND_TABLE, IommuFault.Kind.OUT_OF_RANGE);
        KINDS.put(VtdFaultReason.IR_ENTRY_NOT_PRESENT, IommuFault.Kind.NOT_PRESENT);
        KINDS.put(VtdFaultReason.IR_TABLE_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.IR_ENTRY_RESERVED, IommuFault.Kind.MALFORMED_TABLE);
        KINDS.put(VtdFaultReason.IR_COMPATIBILITY_BLOCKED, IommuFault.Kind.BLOCKED);
        KINDS.put(VtdFaultReason.IR_SOURCE_INVALID, IommuFault.Kind.NO_PERMISSION);
        KINDS.put(VtdFaultReason.IR_POSTED_DESCRIPTOR_INVALID, IommuFault.Kind.MALFORMED_TABLE);
        if (KINDS.size() != VtdFaultReason.values().length) {
            throw new AssertionError("a VT-d fault reason has no generic kind");
        }
    }

    /** The generic kind of FR code {@code code}; UNKNOWN for a code the spec does not define. */
    static IommuFault.Kind kindOf(int code) {
        return VtdFaultReason.ofCode(code).map(KINDS::get).orElse(IommuFault.Kind.UNKNOWN);
    }

    /** "VT-d 0xN NAME" for FR code {@code code}, "VT-d 0xN unknown" for a code the spec does not define. */
    static IommuFault.Detail detailOf(int code) {
        Optional<VtdFaultReason> r = VtdFaultReason.ofCode(code);
        return new IommuFault.Detail(IOMMU, code, r.map(VtdFaultReason::name).orElse("unknown"));
    }
}
