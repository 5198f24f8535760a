package org.jdma.machine.irq;

/**
 * The CPUs an interrupt can be delivered to, as the interrupt controller sees them: their number,
 * their local APIC ids (what an MSI's destination field names) and a way to run a handler as one
 * of them. CPUs are numbered {@code 0..count()-1}; CPU 0 is the boot CPU.
 */
public interface InterruptTargets {

    /** A machine with one CPU, APIC id 0, on which handlers simply run. */
    InterruptTargets ONE_CPU = new InterruptTargets() {
        @Override public int count() { return 1; }
        @Override public int apicId(int index) {
            if (index != 0) {
                throw new IllegalArgumentException("CPU " + index + " does not exist (CPUs 0..0)");
            }
            return 0;
        }
        @Override public int indexOfApicId(int apicId) { return apicId == 0 ? 0 : -1; }
        @Override public void runOn(int index, Runnable code) {
            apicId(index);
            code.run();
        }
    };

    int count();

    /** CPU {@code index}'s local APIC id; an IllegalArgumentException naming it when there is no such CPU. */
    int apicId(int index);

    /** The CPU whose local APIC id is {@code apicId}, or -1 when no CPU has it. */
    int indexOfApicId(int apicId);

    /** Runs {@code code} as CPU {@code index} on the calling thread, then returns to the CPU it ran as. */
    void runOn(int index, Runnable code);
}
