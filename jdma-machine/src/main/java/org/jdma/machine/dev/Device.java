package org.jdma.machine.dev;

/**
 * A device plugged into the machine: made by its {@link DeviceKind} from a {@link DeviceSpec}.
 * What a device is beyond this is said by what it extends: a PCI device extends
 * {@link org.jdma.machine.pci.PciEndpoint} (configuration space, BARs, MSI/MSI-X, its DMA port);
 * a legacy device implements {@link org.jdma.machine.legacy.LegacyDevice} as well (I/O ports, an
 * IRQ line, DMA channels; its {@link #name()} and {@link #reset()} serve both interfaces).
 */
public interface Device extends AutoCloseable {

    /** The instance name its spec gave it ("memcpy0"). */
    String name();

    /** Returns the device to its power-on state. */
    void reset();

    /**
     * Stops and joins the device's own thread, if it runs on one, so that the machine thread is
     * again the only one that touches it (a machine reset calls this before resetting anything).
     * Most devices have no thread: the default does nothing.
     */
    default void stopThread() {
    }

    /**
     * Stops whatever the device runs outside the event kernel (a device thread) before the
     * machine frees its RAM. Most devices have nothing to stop.
     */
    @Override
    default void close() {
    }
}
