package org.jdma.kernel.iommu;

import java.util.Optional;
import org.jdma.spec.pci.RequesterId;

/** The kernel's IOMMU subsystem as the mapping layer needs it: which domain serves a device. */
public interface Iommu {

    /**
     * The domain {@code device} is attached to; empty when no enabled remapping unit covers the
     * device (its DMA is physical).
     */
    Optional<IommuDomain> domainOf(RequesterId device);
}
