package org.jdma.cli.soak;

import java.util.concurrent.atomic.AtomicLong;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.isablock.IsaBlockDriver;
import org.jdma.kernel.drivers.ixgbe.IxgbeDriver;
import org.jdma.kernel.drivers.ixgbe.IxgbeOptions;
import org.jdma.kernel.drivers.nvme.NvmeDriver;
import org.jdma.kernel.drivers.nvme.NvmeOptions;
import org.jdma.kernel.drivers.sb16.Sb16Driver;
import org.jdma.kernel.iommu.iova.CachedIovaAllocator;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.ixgbe.IxgbePort;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.machine.dev.nvme.NamespaceSpec;
import org.jdma.machine.dev.nvme.NvmeConfig;
import org.jdma.machine.dev.nvme.NvmeController;
import org.jdma.machine.net.EthernetLink;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.machine.dev.sb16.Sb16Device;
import org.jdma.spec.pci.RequesterId;

/**
 * The soak's machine and kernel: {@code engines} copy engines (00:04.0 on), two 82599 ports
 * (00:10.0, 00:11.0) each on its own cable, an NVMe controller (00:12.0) with one 16 MiB
 * namespace and two I/O queue pairs (so that, with a strict IOMMU, reaps on two CPUs nest their
 * invalidation waits in each other's), the ISA block device at 0x3F0, IRQ 6, DMA channel 2, and
 * the Sound Blaster 16-like DAC at 0x220, IRQ 5, DMA channels 1 and 5.
 * The kernel boots with the checker on and every domain's IOVA allocator counted.
 */
final class SoakRig {

    static final String ETH0 = "eth0";
    static final String ETH1 = "eth1";
    static final RequesterId SLOT_ETH0 = RequesterId.of(0, 0x10, 0);
    static final RequesterId SLOT_ETH1 = RequesterId.of(0, 0x11, 0);
    static final RequesterId SLOT_NVME = RequesterId.of(0, 0x12, 0);
    static final long NAMESPACE_BYTES = 16L << 20;
    static final int ISA_BASE = 0x3F0;
    static final int ISA_IRQ = 6;
    static final int ISA_CHANNEL = 2;
    static final int SB_BASE = 0x220;
    static final int SB_IRQ = 5;
    static final int SB_DMA8 = 1;
    static final int SB_DMA16 = 5;

    final Machine machine;
    final Kernel kernel;
    final EthernetLink in;
    final EthernetLink out;
    final IsaBlockDevice isa;
    final AtomicLong iovaPages = new AtomicLong();

    SoakRig(SoakConfig c) {
        this.machine = new Machine(machineConfig(c));
        this.in = new EthernetLink(machine.eventKernel());
        this.out = new EthernetLink(machine.eventKernel());
        ((IxgbePort) machine.device(ETH0)).attach(in.endB());
        ((IxgbePort) machine.device(ETH1)).attach(out.endA());
        this.isa = machine.devices(IsaBlockDevice.class).getFirst();
        this.kernel = Kernel.boot(machine, kernelOptions(c, machine, iovaPages));
    }

    static MachineConfig machineConfig(SoakConfig c) {
        MachineConfig m = MachineConfig.defaults().withSeed(c.seed()).withCpus(c.cpus());
        for (int e = 1; e < c.engines(); e++) {
            m = m.withDevice(CopyEngine.spec(e));
        }
        return m.withDevice(IxgbePort.spec(ETH0, SLOT_ETH0)).withDevice(IxgbePort.spec(ETH1, SLOT_ETH1))
                .withDevice(NvmeController.spec("nvme0", SLOT_NVME, NvmeConfig.DEFAULT
                        .withNamespaces(NamespaceSpec.memory(512, NAMESPACE_BYTES / 512)).withIoQueuePairs(2)))
                .withDevice(IsaBlockDevice.spec("fd0", ISA_BASE, ISA_IRQ, ISA_CHANNEL))
                .withDevice(Sb16Device.spec("sb0", SB_BASE, SB_IRQ, SB_DMA8, SB_DMA16));
    }

    static Kernel.Options kernelOptions(SoakConfig c, Machine machine, AtomicLong iovaPages) {
        return Kernel.Options.DEFAULTS.withIommu(c.iommu()).withDmaDebug(true)
                .withIovaAllocators(() -> new CountingIovaAllocator(CachedIovaAllocator.perCpu(machine), iovaPages))
                .withDriver(IxgbeDriver.driver(IxgbeOptions.DEFAULTS.withInterrupts(false).withQueues(1)))
                .withDriver(NvmeDriver.driver(NvmeOptions.DEFAULTS.withIoQueues(2)))
                .withDriver(IsaBlockDriver.driver(ISA_BASE, ISA_IRQ, ISA_CHANNEL))
                .withDriver(Sb16Driver.driver(SB_BASE, SB_IRQ, SB_DMA8, SB_DMA16));
    }

    /** The name the driver core bound {@code instance} under ("isablock0"). */
    static String nameOf(Kernel kernel, Object instance) {
        return kernel.drivers().devices().stream().filter(d -> d.instance() == instance).findFirst()
                .orElseThrow(() -> new IllegalStateException(instance + " is not bound")).name();
    }
}
