package org.jdma.kernel.iommu.vtd;

import org.jdma.machine.iommu.vtd.VtdCapabilityLayout;

/** Page-table levels for a context entry AW value (the datasheet's {@code levelsForAw}), checked. */
final class VtdCapabilityLevels {
    private VtdCapabilityLevels() { }

    static int levels(int aw) {
        int l = VtdCapabilityLayout.levelsForAw(aw);
        if (l != 3 && l != 4) {
            throw new IllegalArgumentException("AW " + aw + " gives " + l + " levels; this driver builds 3 or 4");
        }
        return l;
    }
}
