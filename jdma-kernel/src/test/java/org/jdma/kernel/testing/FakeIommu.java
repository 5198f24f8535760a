package org.jdma.kernel.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jdma.kernel.iommu.Iommu;
import org.jdma.kernel.iommu.IommuDomain;
import org.jdma.spec.pci.RequesterId;

/** Devices → fake domains. */
public final class FakeIommu implements Iommu {
    private final Map<RequesterId, IommuDomain> domains = new HashMap<>();

    public FakeIommu put(RequesterId rid, IommuDomain domain) {
        domains.put(rid, domain);
        return this;
    }

    @Override
    public Optional<IommuDomain> domainOf(RequesterId device) {
        return Optional.ofNullable(domains.get(device));
    }
}
