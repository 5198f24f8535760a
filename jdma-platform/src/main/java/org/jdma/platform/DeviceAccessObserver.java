package org.jdma.platform;

import org.jdma.spec.pci.RequesterId;

/**
 * Watches the memory accesses devices make, for debugging tools (the kernel's DMA-API checker),
 * the way a bus analyzer on the PCIe link would: which requester reads or writes which bus
 * addresses. Offered by {@link Platform#addDeviceAccessObserver}; like {@link CacheObserver}, a view
 * of hardware an OS could not have, used only to check the OS.
 *
 * <p>Contract, which a checker relies on to have no false alarms:
 * <ul>
 *   <li>called <em>before</em> the access moves any data, on the thread that makes it (a device
 *       thread, or the thread that runs the machine), so a completion the device publishes after
 *       the data cannot reach the driver before the data's own accesses were observed;</li>
 *   <li>only memory requests: MSI writes into the interrupt address window, the IOMMU's own page
 *       walks and invalidation-queue reads, and requests a device with Bus Master Enable clear
 *       never issues are not reported;</li>
 *   <li>addresses are bus addresses, as the device put them on the bus (before any IOMMU);
 *       the whole request is reported once, even when translation later splits or faults it.</li>
 * </ul>
 * An observer must not access memory or devices from a callback, and should be quick: it runs in
 * the device's data path.
 */
@FunctionalInterface
public interface DeviceAccessObserver {

    /**
     * A device is about to access [{@code busAddress}, {@code busAddress + length}).
     *
     * @param requester the requester id the request carries (a legacy DMA channel's bridge's)
     * @param write     true for a memory write, false for a read
     */
    void deviceAccess(RequesterId requester, long busAddress, long length, boolean write);
}
