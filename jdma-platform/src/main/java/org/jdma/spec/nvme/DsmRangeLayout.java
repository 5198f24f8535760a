package org.jdma.spec.nvme;

/**
 * One Dataset Management range, 16 bytes (NVM command set, "Dataset Management command", Figure
 * 364 in NVMe 1.4; Linux {@code struct nvme_dsm_range}).
 *
 * <pre>
 * byte 0x00 | context attributes (32) |
 *      0x04 | length in logical blocks (32, not 0's based) |
 *      0x08 | starting LBA (64) |
 * </pre>
 */
public final class DsmRangeLayout {

    private DsmRangeLayout() { }

    public static final int SIZE = 16;
    public static final int ATTRIBUTES = 0x00;
    public static final int LENGTH = 0x04;
    public static final int SLBA = 0x08;
}
