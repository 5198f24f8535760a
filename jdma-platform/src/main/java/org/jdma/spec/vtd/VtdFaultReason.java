package org.jdma.spec.vtd;

import java.util.Optional;

/**
 * Fault reasons of legacy-mode DMA remapping (VT-d spec §7.1.3, Table 25 "Unrecoverable Fault
 * Conditions and Responses") and of interrupt remapping (§7.1.1, Table 23, codes 0x20-0x27), with
 * the codes the FR field of a fault record carries. Names follow QEMU's {@code VTDFaultReason},
 * which follows the spec's table order; the interrupt-remapping descriptions follow Linux's
 * {@code irq_remap_fault_reasons[]}.
 */
public enum VtdFaultReason {
    ROOT_ENTRY_NOT_PRESENT(0x1, "root entry not present"),
    CONTEXT_ENTRY_NOT_PRESENT(0x2, "context entry not present"),
    CONTEXT_ENTRY_INVALID(0x3, "invalid context entry programming (AW not in SAGAW, TT not supported)"),
    ADDRESS_BEYOND_MGAW(0x4, "input address above the maximum guest address width"),
    WRITE_NOT_PERMITTED(0x5, "write to a page without write permission"),
    READ_NOT_PERMITTED(0x6, "read of a page without read permission (or not present)"),
    PAGING_ENTRY_INVALID(0x7, "second-level paging entry could not be accessed"),
    ROOT_TABLE_INVALID(0x8, "root entry could not be accessed"),
    CONTEXT_TABLE_INVALID(0x9, "context entry could not be accessed"),
    ROOT_ENTRY_RESERVED(0xA, "reserved bit set in root entry"),
    CONTEXT_ENTRY_RESERVED(0xB, "reserved bit set in context entry"),
    PAGING_ENTRY_RESERVED(0xC, "reserved bit set in second-level paging entry"),
    BLOCKED_BY_TRANSLATION_TYPE(0xD, "request blocked by the context entry's translation type"),
    INTERRUPT_ADDRESS(0xE, "translated address in the interrupt range"),
    IR_REQUEST_RESERVED(0x20, "reserved bits set in an interrupt request (remappable format)"),
    IR_INDEX_BEYOND_TABLE(0x21, "interrupt index beyond the interrupt remapping table's size"),
    IR_ENTRY_NOT_PRESENT(0x22, "interrupt remapping table entry not present"),
    IR_TABLE_INVALID(0x23, "interrupt remapping table entry could not be read"),
    IR_ENTRY_RESERVED(0x24, "reserved bits set in a present interrupt remapping table entry"),
    IR_COMPATIBILITY_BLOCKED(0x25, "compatibility-format interrupt request blocked"),
    IR_SOURCE_INVALID(0x26, "interrupt request source id failed the entry's validation"),
    IR_POSTED_DESCRIPTOR_INVALID(0x27, "posted-interrupt descriptor could not be accessed");

    private final int code;
    private final String description;

    VtdFaultReason(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** Whether this is an interrupt-remapping fault (0x20-0x27): its record carries an interrupt index, not a page. */
    public boolean interruptRemapping() {
        return code >= 0x20;
    }

    /** The FR code of a fault record. */
    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<VtdFaultReason> ofCode(int code) {
        for (VtdFaultReason r : values()) {
            if (r.code == code) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("%s (%#x: %s)", name(), code, description);
    }
}
