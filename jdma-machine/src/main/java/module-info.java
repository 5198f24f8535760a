/**
 * The emulated machine. Exports to everyone what an OS may see (the platform, CPU, clock,
 * interrupts, firmware, PCI identity, the CPU cache's maintenance interface, device datasheets);
 * the bus, memory map, register-file and device internals are exported only to the command line
 * tool, which assembles machines and reports on them.
 */
module org.jdma.machine {
    exports org.jdma.machine;
    exports org.jdma.machine.time;
    exports org.jdma.machine.irq;
    exports org.jdma.machine.firmware;
    exports org.jdma.machine.firmware.acpi;
    exports org.jdma.machine.pci;
    exports org.jdma.machine.cache;
    exports org.jdma.machine.dev.memcpy;
    exports org.jdma.machine.iommu.vtd;
    exports org.jdma.machine.bus to org.jdma.cli;
    exports org.jdma.machine.memory to org.jdma.cli;
    exports org.jdma.machine.mmio to org.jdma.cli;
    exports org.jdma.machine.dev to org.jdma.cli;
    exports org.jdma.machine.iommu.vtd.hw to org.jdma.cli;
}
