package org.jdma.kernel.driver;

import java.util.List;

/**
 * One interrupt vector a driver holds, as a row of Linux's {@code /proc/interrupts}.
 *
 * @param vector   the CPU vector
 * @param owner    the device's name ("memcpy0")
 * @param source   what raises it: "MSI-X 0", "MSI" or "IRQ 4"
 * @param cpu      the CPU it is sent to now
 * @param perCpu   interrupts dispatched on it so far, by CPU index
 */
public record InterruptAssignment(int vector, String owner, String source, int cpu, List<Long> perCpu) {
    public InterruptAssignment {
        perCpu = List.copyOf(perCpu);
    }

    /** Interrupts dispatched on the vector, every CPU. */
    public long total() {
        return perCpu.stream().mapToLong(Long::longValue).sum();
    }
}
