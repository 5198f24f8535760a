package org.jdma.kernel.compat.hardware;

import org.jdma.kernel.drivers.memcpy.CopyRing;

/**
 * What a {@link DmaEngine} needs from the device that consumes its ring, and nothing more: where
 * the ring is, the doorbell, and the interrupt handle its descriptors carry (the copy-engine
 * ring's {@link CopyRing.Port}, under the name the {@code hardware} crate's engine gives it). The
 * device's registers, MSI-X and resets stay in the driver that implements it.
 */
public interface RingDevice extends CopyRing.Port {
}
