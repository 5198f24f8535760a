/**
 * The OS DMA subsystem. Reads the machine only through {@code org.jdma.machine}'s exported,
 * OS-visible packages: it cannot reach the bus, the memory map or device internals.
 */
module org.jdma.kernel {
    requires transitive org.jdma.machine;
    exports org.jdma.kernel;
    exports org.jdma.kernel.acpi;
    exports org.jdma.kernel.mm;
    exports org.jdma.kernel.engine;
    exports org.jdma.kernel.drivers.memcpy;
    exports org.jdma.kernel.dma;
    exports org.jdma.kernel.api;
    exports org.jdma.kernel.dma.debug;
    exports org.jdma.kernel.dma.pool;
    exports org.jdma.kernel.dma.swiotlb;
    exports org.jdma.kernel.iommu;
    exports org.jdma.kernel.iommu.seed;
    exports org.jdma.kernel.iommu.iova;
    exports org.jdma.kernel.iommu.vtd;
}
