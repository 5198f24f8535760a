package org.jdma.kernel.testing;

import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.iommu.IommuMode;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.spec.pci.RequesterId;

/** A small machine with one copy engine behind the default DMAR's VT-d unit, booted in a given IOMMU mode. */
public final class BootedMachine implements AutoCloseable {
    public static final RequesterId COPY_ENGINE = CopyEngine.slot(0);

    public final Machine machine;
    public final Kernel kernel;

    public BootedMachine(IommuMode mode) {
        this(TestMachines.small(1), mode);
    }

    public BootedMachine(MachineConfig config, IommuMode mode) {
        machine = new Machine(config);
        kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withIommu(mode).withIovaAllocators(CachedIovaAllocator::new));
    }

    @Override
    public void close() {
        kernel.close();
        machine.close();
    }
}
