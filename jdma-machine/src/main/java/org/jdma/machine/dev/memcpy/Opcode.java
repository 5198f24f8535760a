package org.jdma.machine.dev.memcpy;

/** Descriptor opcodes this engine implements, with DSA's numbering ({@code enum dsa_opcode}). */
public enum Opcode {
    NOOP(0x00),
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

    /** The opcode with this code, or null when the engine does not implement it. */
    public static Opcode fromCode(int code) {
        for (Opcode o : values()) {
            if (o.code == code) {
                return o;
            }
        }
        return null;
    }
}
