package org.jdma.kernel.iommu.seed;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;

/** A small machine with one copy engine behind the default DMAR's VT-d unit, booted in a given IOMMU mode. */
final class SeedIommus implements AutoCloseable {
    static final RequesterId COPY_ENGINE = CopyEngine.slot(0);

    final Machine machine;
    final Kernel kernel;

    SeedIommus(IommuMode mode) {
        this(TestMachines.small(1), mode);
    }

    SeedIommus(MachineConfig config, IommuMode mode) {
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withIovaAllocators(CachedIovaAllocator::new));
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }
}
