package org.jdma.cli.soak;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jdma.kernel.iommu.IommuMode;

/**
 * What one soak run does. Either {@code modeledNs} or {@code wallNs} bounds it (the other 0):
 * modeled time repeats exactly for a seed; wall time ({@code --minutes}) runs as far as the box
 * gets, so its work (and trace) depends on the box's speed.
 *
 * @param seed            the machine's and every workload's seed
 * @param iommu           how the kernel uses the VT-d unit
 * @param modeledNs       modeled time to run, ns (0: bounded by wall time)
 * @param wallNs          wall time to run, ns (0: bounded by modeled time)
 * @param cpus            CPUs of the machine
 * @param engines         copy engines, engine i driven from CPU i mod cpus
 * @param copyBytes       each engine's buffer size; copies are 1..copyBytes bytes
 * @param frameBytes      generated frame size without FCS, bytes
 * @param lineFraction    offered NIC load as a share of line rate
 * @param nvmeDepth       NVMe requests kept in flight
 * @param nvmeBlockBytes  bytes per NVMe request
 * @param faultEveryNs    modeled time between injected faults, ns
 * @param resetEveryNs    modeled time between driver resets, ns (they go round the devices)
 * @param isaEveryNs      modeled time between ISA block operations, ns
 * @param sabotage        test hooks to fire (empty in a real run)
 */
public record SoakConfig(long seed, IommuMode iommu, long modeledNs, long wallNs, int cpus, int engines, int copyBytes,
                         int frameBytes, double lineFraction, int nvmeDepth, int nvmeBlockBytes, long faultEveryNs,
                         long resetEveryNs, long isaEveryNs, Set<Sabotage> sabotage) {

    /** Defaults of everything but the bound: 4 CPUs, 3 engines, 512-byte frames at 10 % of line rate, NVMe depth 8. */
    public static SoakConfig modeled(long seed, IommuMode iommu, long modeledNs) {
        return new SoakConfig(seed, iommu, modeledNs, 0, 4, 3, 16 * 1024, 508, 0.10, 8, 4096, 5_000_000L, 20_000_000L,
                50_000_000L, Set.of());
    }

    /** As {@link #modeled}, bounded by wall time instead. */
    public static SoakConfig wall(long seed, IommuMode iommu, long wallNs) {
        SoakConfig c = modeled(seed, iommu, 1);
        return new SoakConfig(seed, iommu, 0, wallNs, c.cpus, c.engines, c.copyBytes, c.frameBytes, c.lineFraction, c.nvmeDepth,
                c.nvmeBlockBytes, c.faultEveryNs, c.resetEveryNs, c.isaEveryNs, Set.of());
    }

    public SoakConfig {
        Objects.requireNonNull(iommu, "iommu");
        sabotage = sabotage.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(sabotage));
        if ((modeledNs > 0) == (wallNs > 0)) {
            throw new IllegalArgumentException("give exactly one of modeled time and wall time, was " + modeledNs + " ns and "
                    + wallNs + " ns");
        }
        if (cpus < 1 || engines < 1 || engines > 8) {
            throw new IllegalArgumentException("cpus >= 1 and engines 1..8, was " + cpus + " and " + engines);
        }
        if (copyBytes < 64 || nvmeBlockBytes % 512 != 0 || nvmeDepth < 1 || !(lineFraction > 0 && lineFraction <= 1)) {
            throw new IllegalArgumentException("copyBytes >= 64, nvmeBlockBytes a multiple of 512, nvmeDepth >= 1, lineFraction in (0, 1]");
        }
        if (faultEveryNs <= 0 || resetEveryNs <= 0 || isaEveryNs <= 0) {
            throw new IllegalArgumentException("fault, reset and ISA intervals must be positive");
        }
    }

    /** The same run with {@code hooks} fired. */
    public SoakConfig withSabotage(Sabotage... hooks) {
        return new SoakConfig(seed, iommu, modeledNs, wallNs, cpus, engines, copyBytes, frameBytes, lineFraction, nvmeDepth,
                nvmeBlockBytes, faultEveryNs, resetEveryNs, isaEveryNs, hooks.length == 0 ? Set.of() : EnumSet.of(hooks[0], hooks));
    }

    /** The same run with other event intervals (fault, reset, ISA), ns. */
    public SoakConfig withIntervals(long faultNs, long resetNs, long isaNs) {
        return new SoakConfig(seed, iommu, modeledNs, wallNs, cpus, engines, copyBytes, frameBytes, lineFraction, nvmeDepth,
                nvmeBlockBytes, faultNs, resetNs, isaNs, sabotage);
    }

    boolean sabotaged(Sabotage s) {
        return sabotage.contains(s);
    }
}
