package org.jdma.cli.options;

import java.util.Locale;
import org.jdma.kernel.iommu.IommuMode;

/** The names of the IOMMU modes on the command line ({@code --iommu}) and in reports. */
public final class IommuModeNames {
    private IommuModeNames() { }

    /** {@code name} as an IOMMU mode: off, strict, lazy, identity, or pt (pass-through, the same as identity); case ignored. */
    public static IommuMode parse(String name) {
        if (name.equalsIgnoreCase("pt")) {
            return IommuMode.IDENTITY;
        }
        for (IommuMode m : IommuMode.values()) {
            if (m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--iommu must be one of off, strict, lazy, identity, was " + name
                + " (pt is identity)");
    }

    /** The short name a report prints: pt for identity (pass-through), else the mode's name in lower case. */
    public static String label(IommuMode m) {
        return m == IommuMode.IDENTITY ? "pt" : m.name().toLowerCase(Locale.ROOT);
    }
}
