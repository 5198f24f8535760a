package org.jdma.spec.memcpy;

/**
 * Descriptor opcodes this engine implements, with DSA's numbering ({@code enum dsa_opcode} in
 * Linux include/uapi/linux/idxd.h), and one jdma extension, {@link #CHAIN}.
 */
public enum Opcode {
    NOOP(0x00),
    /**
     * A list of descriptors in memory, executed in order with one completion for the whole batch
     * (DSA spec §8.3.3 "Batch"); see {@link CopyDescriptorLayout#DESC_LIST_ADDR}.
     */
    BATCH(0x01),
    /**
     * Completes only after every descriptor submitted before it has completed (DSA spec §8.3.4
     * "Drain"). Not allowed inside a batch or a chain (BAD_OPCODE there).
     */
    DRAIN(0x02),
    MEMMOVE(0x03),
    MEMFILL(0x04),
    COMPARE(0x05),
    /**
     * <b>jdma extension, not DSA:</b> a linked chain of descriptors in memory, each naming the
     * next, executed in order with one completion record and at most one interrupt for the chain
     * (as an Intel I/OAT descriptor chain); see {@link CopyDescriptorLayout#FIRST_LINK}. Code
     * 0x30 because neither {@code enum dsa_opcode} (0x00-0x0A, 0x10-0x17, 0x20) nor
     * {@code enum iax_opcode} (0x42 and up) assigns it, so no DSA descriptor can mean it by
     * accident; software finds it in {@link CopyEngineRegisters#CAP_CHAIN}.
     */
    CHAIN(0x30);

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Largest opcode code a descriptor can carry (the 8-bit opcode field). */
    private static final int MAX_CODE = 0xFF;

    /** Opcode by code; null where the engine implements none. Decoded once per descriptor, so no values() clone. */
    private static final Opcode[] BY_CODE = new Opcode[MAX_CODE + 1];

    static {
        for (Opcode o : values()) {
            BY_CODE[o.code] = o;
        }
    }

    /** The opcode with this code, or null when the engine does not implement it. */
    public static Opcode fromCode(int code) {
        return code >= 0 && code <= MAX_CODE ? BY_CODE[code] : null;
    }
}
