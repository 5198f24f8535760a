package org.jdma.spec.memcpy;

/** Descriptor opcodes this engine implements, with DSA's numbering ({@code enum dsa_opcode}). */
public enum Opcode {
    NOOP(0x00),
    /**
     * A list of descriptors in memory, executed in order with one completion for the whole batch
     * (DSA spec §8.3.3 "Batch"); see {@link CopyDescriptorLayout#DESC_LIST_ADDR}.
     */
    BATCH(0x01),
    MEMMOVE(0x03),
    MEMFILL(0x04),
    COMPARE(0x05);

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
