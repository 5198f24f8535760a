package org.jdma.machine.dev;

/**
 * A device plugged into the machine: made by its {@link DeviceKind} from a {@link DeviceSpec}.
 * What a device is beyond this (a PCI endpoint with a configuration space and BARs, a legacy
 * device with I/O ports) is said by the class it extends, for example
 * {@link org.jdma.machine.pci.PciEndpoint}.
 */
public interface Device extends AutoCloseable {

    /** The instance name its spec gave it ("memcpy0"). */
    String name();

    /** Returns the device to its power-on state. */
    void reset();

    /**
     * Stops whatever the device runs outside the event kernel (a device thread) before the
     * machine frees its RAM. Most devices have nothing to stop.
     */
    @Override
    default void close() {
    }
}
