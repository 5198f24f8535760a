package org.jdma.machine.bus;

/** Direction of a DMA, from the device's point of view. */
public enum Access {
    /** The device reads memory (a memory read request). */
    READ,
    /** The device writes memory (a posted memory write). */
    WRITE
}
