package org.jdma.machine.legacy;

/**
 * A legacy device's side of its DMA channel: what the 8237A does to it once it has asserted DREQ
 * and the controller owns the bus. The controller asserts DACK and, in each transfer cycle, either
 * reads the device (a transfer that writes memory: I/O read, memory write) or writes it (a
 * transfer that reads memory). The device never sees an address.
 *
 * <p>Called on the machine's event thread, in modeled time; none of the methods may throw.
 */
public interface DmaHandshake {

    /** DACK with I/O read: the device drives one unit (a byte, or a word on channels 5-7). */
    int dackRead();

    /** DACK with I/O write: the device takes one unit read from memory. */
    void dackWrite(int value);

    /** EOP: the transfer just made was the channel's last (terminal count). */
    default void terminalCount() { }

    /**
     * The channel is in cascade mode and the bus is the device's (an ISA bus master): it may use
     * its channel's port until it drops DREQ, which hands the bus back.
     */
    default void busGranted() { }
}
