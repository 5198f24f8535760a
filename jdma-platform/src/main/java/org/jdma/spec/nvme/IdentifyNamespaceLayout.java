package org.jdma.spec.nvme;

/**
 * The Identify Namespace data structure, 4096 bytes (NVM command set, Figure 245 in NVMe 1.4
 * §5.15.2.1; Linux {@code struct nvme_id_ns}): the fields this subset fills, at their byte offsets.
 *
 * <pre>
 * 0    NSZE (64)  size in logical blocks         8   NCAP (64)     16  NUSE (64) blocks allocated
 * 24   NSFEAT     [0] THINP (NUSE tracks deallocation)
 * 25   NLBAF      LBA formats, 0's based          26  FLBAS [3:0] format in use  [4] extended metadata
 * 33   DLFEAT     [2:0] 001 = deallocated blocks read as zeroes
 * 104  NGUID (16)                                 120 EUI64 (8)
 * 128  LBAF[0..15], 4 bytes each: MS [15:0] metadata bytes, LBADS [23:16] log2 block size, RP [25:24]
 * </pre>
 */
public final class IdentifyNamespaceLayout {

    private IdentifyNamespaceLayout() { }

    public static final int SIZE = 4096;

    public static final int NSZE = 0;
    public static final int NCAP = 8;
    public static final int NUSE = 16;
    public static final int NSFEAT = 24;
    public static final int NLBAF = 25;
    public static final int FLBAS = 26;
    public static final int DLFEAT = 33;
    public static final int NGUID = 104;
    public static final int EUI64 = 120;
    public static final int LBAF = 128;
    public static final int LBAF_SIZE = 4;
    public static final int LBAF_COUNT = 16;

    public static final int NSFEAT_THINP = 1;
    public static final int FLBAS_FORMAT_MASK = 0xF;
    public static final int DLFEAT_READS_ZEROES = 1;
    public static final int LBAF_LBADS_SHIFT = 16;
    public static final int LBAF_LBADS_MASK = 0xFF << LBAF_LBADS_SHIFT;

    /** Offset of LBA format {@code i}. */
    public static int lbaf(int i) {
        return LBAF + LBAF_SIZE * i;
    }

    /** An LBA format dword: no metadata, blocks of 2^{@code lbads} bytes. */
    public static int lbaFormat(int lbads) {
        return lbads << LBAF_LBADS_SHIFT;
    }

    public static int lbads(int lbaFormat) {
        return (lbaFormat & LBAF_LBADS_MASK) >>> LBAF_LBADS_SHIFT;
    }
}
