package org.jdma.kernel.engine;


import org.jdma.kernel.drivers.memcpy.Descriptor;
import org.jdma.kernel.drivers.memcpy.DescriptorCodec;
/**
 * What a {@link DmaEngine} needs from the device that consumes its ring, and nothing more: where
 * the ring is, the doorbell, and the interrupt handle its descriptors carry. The ring knows the
 * device's descriptor and completion-record format ({@link DescriptorCodec}); everything else
 * about the device (its registers, MSI-X, resets) stays in the driver that implements this.
 */
public interface RingDevice {

    /**
     * Points the device at a ring of {@code slots} descriptors starting at bus address
     * {@code ringBase} (64-byte aligned) and starts it. Slot indices start at 0: the device fetches
     * slot 0 first.
     */
    void attach(long ringBase, int slots);

    /**
     * Announces that every slot before {@code producerIndex} (modulo the ring size) holds a
     * descriptor to run. Called after a release fence that orders every descriptor store before it.
     */
    void doorbell(int producerIndex);

    /** The interrupt handle (MSI-X table entry) for descriptors with {@link Descriptor#INTERRUPT}. */
    int interruptHandle();

    /** Stops the device from fetching or writing ring memory (before that memory is freed). */
    void detach();
}
