/**
 * The emulated machine: the hardware behind {@link org.jdma.platform.Platform}. Knows nothing of
 * any OS. Everything here is exported only to the tools that assemble machines and report on
 * their internals (the command line tool); an OS sees the machine through
 * {@code org.jdma.platform} alone.
 */
module org.jdma.machine {
    requires transitive org.jdma.platform;
    requires jdk.jfr;
    exports org.jdma.machine;
    exports org.jdma.machine.bus;
    exports org.jdma.machine.cache;
    exports org.jdma.machine.cpu;
    exports org.jdma.machine.dev;
    exports org.jdma.machine.dev.crc32;
    exports org.jdma.machine.dev.ixgbe;
    exports org.jdma.machine.dev.isablock;
    exports org.jdma.machine.dev.sb16;
    exports org.jdma.machine.dev.memcpy;
    exports org.jdma.machine.dev.nvme;
    exports org.jdma.machine.dev.rogue;
    exports org.jdma.machine.dev.timer;
    exports org.jdma.machine.firmware.acpi;
    exports org.jdma.machine.iommu.vtd;
    exports org.jdma.machine.irq;
    exports org.jdma.machine.jfr;
    exports org.jdma.machine.legacy;
    exports org.jdma.machine.legacy.isadma;
    exports org.jdma.machine.memory;
    exports org.jdma.machine.mmio;
    exports org.jdma.machine.net;
    exports org.jdma.machine.pci;
    exports org.jdma.machine.time;
}
