package org.jdma.cli.attack;

/** The attacks of {@code jdma run attack}, in the order they run. */
public enum Attack {
    READ_KERNEL_MEMORY("read kernel memory", "read a secret the kernel keeps in a buffer it never mapped for any device"),
    WRITE_KERNEL_MEMORY("write kernel memory", "overwrite a kernel buffer no device was given"),
    READ_PEER_BUFFER("read a peer's buffer", "read the copy engine's buffer while it is mapped for the copy engine"),
    WRITE_PEER_BUFFER("write a peer's buffer", "overwrite the copy engine's buffer while it is mapped for the copy engine"),
    STALE_IOVA("use an IOVA after unmap", "keep using the rogue's own IOVA after its driver unmapped it and the memory was reused"),
    WRITE_PAGE_TABLES("write the IOMMU tables", "overwrite the root table and the copy engine's page-table page"),
    RMRR_OF_ANOTHER_DEVICE("touch another device's RMRR", "write the reserved memory region the firmware reserved for the copy engine"),
    MSI_WINDOW("another device's MSI", "write the copy engine's completion message into the interrupt range"
            + " (with interrupt remapping: a handle that belongs to the copy engine)"),
    MSI_COMPATIBILITY("forged compatibility MSI", "write a compatibility-format message naming the copy engine's vector and CPU 0"),
    MSI_REMAPPABLE("forged remappable MSI", "write a remappable-format message naming an interrupt index nobody was given"),
    WRITE_INTERRUPT_TABLE("write the interrupt remapping table", "overwrite the copy engine's interrupt remapping entry"),
    SUB_PAGE_READ("read the rest of a page", "read the whole 4 KiB page of a 512-byte buffer mapped for the rogue:"
            + " the other 3584 bytes belong to the kernel"),
    BUS_MASTER_DISABLED("DMA with bus mastering off", "read a kernel secret from a device the OS never let master the bus"
            + " (no driver bound: Command.Bus Master Enable clear); rogue1 honours the bit, rogue0 does not");

    private final String title;
    private final String description;

    Attack(String title, String description) {
        this.title = title;
        this.description = description;
    }

    public String title() {
        return title;
    }

    public String description() {
        return description;
    }
}
