/**
 * The OS DMA subsystem. Sees the machine only through the platform API ({@code org.jdma.platform})
 * and the shared datasheets ({@code org.jdma.spec.*}): it cannot reach the bus, the memory map or
 * device internals.
 */
module org.jdma.kernel {
    requires transitive org.jdma.platform;
    requires jdk.jfr;
    exports org.jdma.kernel;
    exports org.jdma.kernel.acpi;
    exports org.jdma.kernel.pci;
    exports org.jdma.kernel.mm;
    exports org.jdma.kernel.driver;
    exports org.jdma.kernel.drivers.crc32;
    exports org.jdma.kernel.drivers.ixgbe;
    exports org.jdma.kernel.drivers.isablock;
    exports org.jdma.kernel.drivers.sb16;
    exports org.jdma.kernel.drivers.memcpy;
    exports org.jdma.kernel.drivers.nvme;
    exports org.jdma.kernel.net;
    exports org.jdma.kernel.net.app;
    exports org.jdma.kernel.block;
    exports org.jdma.kernel.drivers.timer;
    exports org.jdma.kernel.dma;
    exports org.jdma.kernel.dma.debug;
    exports org.jdma.kernel.dma.pool;
    exports org.jdma.kernel.dma.swiotlb;
    exports org.jdma.kernel.dmaengine;
    exports org.jdma.kernel.isadma;
    exports org.jdma.kernel.ring;
    exports org.jdma.kernel.compat.dmaapi;
    exports org.jdma.kernel.compat.hardware;
    exports org.jdma.kernel.compat.veridian;
    exports org.jdma.kernel.iommu;
    exports org.jdma.kernel.iommu.iova;
    exports org.jdma.kernel.iommu.vtd;
    exports org.jdma.kernel.jfr;
}
