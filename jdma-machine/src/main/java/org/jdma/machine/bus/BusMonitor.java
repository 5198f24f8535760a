package org.jdma.machine.bus;

import org.jdma.spec.pci.RequesterId;

/**
 * Watches every DMA a port completes, in the order the device issued them. Tests use it to prove
 * ordering (data, then completion record, then MSI); tracers use it to count traffic.
 */
public interface BusMonitor {
    /**
     * One completed request. {@code msi} is true for a write into the interrupt address range.
     * {@code ok} is false when the request faulted.
     */
    void observed(RequesterId requester, Access access, long busAddress, long length, boolean msi, boolean ok, long timeNs);
}
