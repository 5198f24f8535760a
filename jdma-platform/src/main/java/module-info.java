/**
 * What an OS sees of a machine, and the datasheets both sides share.
 *
 * <ul>
 *   <li>{@code org.jdma.platform}: the OS's view: {@link org.jdma.platform.Platform} (CPU, memory
 *       map, firmware tables, interrupts, clock), {@link org.jdma.platform.Cpu} (loads and stores
 *       through the cache, MMIO, cache maintenance), and the cache-line observer debugging tools
 *       use;</li>
 *   <li>{@code org.jdma.spec.*}: datasheets, one package per hardware block: byte layouts,
 *       register offsets and field masks as named constants and pure functions, citing the
 *       specification section. No state.</li>
 * </ul>
 *
 * The machine implements the first and uses the second; the kernel uses both and nothing else.
 */
module org.jdma.platform {
    exports org.jdma.platform;
    exports org.jdma.platform.irq;
    exports org.jdma.spec.acpi;
    exports org.jdma.spec.crc32;
    exports org.jdma.spec.i8237;
    exports org.jdma.spec.isablock;
    exports org.jdma.spec.ixgbe;
    exports org.jdma.spec.memcpy;
    exports org.jdma.spec.msi;
    exports org.jdma.spec.nvme;
    exports org.jdma.spec.pci;
    exports org.jdma.spec.pcap;
    exports org.jdma.spec.sb16;
    exports org.jdma.spec.timer;
    exports org.jdma.spec.vtd;
}
