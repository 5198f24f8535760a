package org.jdma.fuzz;

import java.util.function.Supplier;
import org.jdma.platform.Cpu;

/** What every device target does the same way: a register write of a chosen width, and a contract check. */
final class Harness {

    private Harness() { }

    /** A CPU store of {@code width} bytes (1, 2, 4, else 8) at {@code address}: MMIO or RAM. */
    static void mmioWrite(Cpu cpu, long address, int width, long value) {
        switch (width) {
            case 1 -> cpu.write8(address, (int) value);
            case 2 -> cpu.write16(address, (int) value);
            case 4 -> cpu.write32(address, (int) value);
            default -> cpu.write64(address, value);
        }
    }

    /** Fails the input with {@code message} (built only on failure) when the contract does not hold. */
    static void check(boolean condition, Supplier<String> message) {
        if (!condition) {
            throw new AssertionError(message.get());
        }
    }
}
