package org.jdma.machine.mmio;

/** How software may access a register (the column "access" in a datasheet's register table). */
public enum RegisterAccess {
    /** Read-only: writes are ignored. */
    RO,
    /** Read-write. */
    RW,
    /** Read, and writing 1 to a bit clears it (status bits). */
    RW1C,
    /** Reading returns the value and clears it. */
    RC,
    /** Write-only: reads return zero. */
    WO
}
