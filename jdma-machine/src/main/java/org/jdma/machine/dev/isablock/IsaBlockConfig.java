package org.jdma.machine.dev.isablock;

/**
 * @param sectors         the medium's size, 512-byte sectors
 * @param mediumNsPerByte the medium's data rate, ns per byte (a 500 kbit/s floppy: 16 000)
 */
public record IsaBlockConfig(int sectors, long mediumNsPerByte) {

    /** A 1.44 MB floppy's 2880 sectors at 500 kbit/s. */
    public static final IsaBlockConfig DEFAULT = new IsaBlockConfig(2880, 16_000);

    public IsaBlockConfig {
        if (sectors < 1 || sectors > 0xFFFF || mediumNsPerByte < 1) {
            throw new IllegalArgumentException("ISA block device: " + sectors + " sectors (1..65535), " + mediumNsPerByte
                    + " ns per byte (at least 1)");
        }
    }
}
