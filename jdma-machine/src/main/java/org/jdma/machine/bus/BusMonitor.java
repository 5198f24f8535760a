package org.jdma.machine.bus;

/**
 * Watches every DMA a port completes, in the order the device issued them. Tests use it to prove
 * ordering (data, then completion record, then MSI); tracers use it to count traffic.
 */
public interface BusMonitor {
    /**
     * One completed request. {@code origin} says who issued it ({@code origin.requester()} is the
     * id on the bus: a legacy channel's requests carry its bridge's). {@code msi} is true for a
     * write into the interrupt address range. {@code ok} is false when the request faulted.
     */
    void observed(DmaOrigin origin, Access access, long busAddress, long length, boolean msi, boolean ok, long timeNs);
}
