package org.jdma.platform.irq;

/**
 * How an interrupt controller input samples its line: the Trigger Mode bit (bit 15) of an I/O APIC
 * redirection table entry (82093AA datasheet §3.2.4).
 */
public enum LineTrigger {
    /**
     * Edge-sensitive: each rising edge (deasserted to asserted) raises the interrupt once; holding
     * the line asserted raises nothing more. ISA devices signal this way.
     */
    EDGE,
    /**
     * Level-sensitive: the interrupt is raised while the line is asserted; after the handler the
     * end-of-interrupt re-arms the input, and a line still asserted raises it again. PCI INTx
     * and devices that share a line signal this way.
     */
    LEVEL
}
