package org.jdma.kernel.iommu;

/** Receives each remapping fault the fault-event handler reads. Runs on the machine's event thread. */
@FunctionalInterface
public interface IommuFaultListener {
    void onFault(IommuFault fault);
}
