package org.jdma.spec.ixgbe;

/**
 * The 82599's PCI identity and the BAR0 registers a minimal driver uses (82599 datasheet §8.2.3;
 * offsets as Linux's {@code ixgbe_type.h}). All registers are 32 bits, little-endian; per-queue
 * registers repeat at {@link #QUEUE_STRIDE}. Bits not named here are reserved: they read 0.
 *
 * <pre>
 * off      name        bits that matter
 * 0x00000  CTRL        [2] GIO_DIS (master disable)  [3] LNK_RST  [26] RST   (RST, LNK_RST self-clear)
 * 0x00008  STATUS      [3:2] LAN_ID  [19] GIO master enable status              (RO)
 * 0x00018  CTRL_EXT    [14] PFRSTD  [16] NS_DIS  [17] RO_DIS  [28] DRV_LOAD
 * 0x00800  EICR        [15:0] RTxQ / MSI-X vectors 15:0  [16..30] other causes  [31] OTHER
 * 0x00808  EICS        write 1 sets the EICR bit (WO)
 * 0x00810  EIAC        [15:0] auto-clear the EICR bit when its MSI-X message is sent
 * 0x00820  EITR[0..23] [11:3] ITR interval, 2.048 us units  [15] LLI_MOD  [31] CNT_WDIS; 24..63 at 0x12300
 * 0x00880  EIMS        write 1 sets the mask (enables); reads the mask
 * 0x00888  EIMC        write 1 clears the mask (WO)
 * 0x00890  EIAM        auto-mask: clear EIMS bits on EICR access, or (GPIE.EIAME) on the MSI-X message
 * 0x00898  GPIE        [4] MSIX_MODE  [5] OCD  [30] EIAME  [31] PBA_SUPPORT
 * 0x00900  IVAR[0..63] four 8-bit entries: RX 2n, TX 2n, RX 2n+1, TX 2n+1 ({@link IvarLayout})
 * 0x00A00  IVAR_MISC   [7:0] TCP timer, [15:8] other causes ({@link IvarLayout})
 * 0x00A90  EICS_EX[0..1], 0x00AA0 EIMS_EX[0..1], 0x00AB0 EIMC_EX[0..1], 0x00AD0 EIAM_EX[0..1]:
 *                      the same for MSI-X vectors 0..31 and 32..63
 * 0x01000  RDBAL[n]    [31:7] ring base, low (128-byte aligned)        n * 0x40, n &lt; 64
 * 0x01004  RDBAH[n]    ring base, high
 * 0x01008  RDLEN[n]    [19:7] ring length in bytes (a multiple of 128)
 * 0x01010  RDH[n]      [15:0] head (hardware's next descriptor)
 * 0x01018  RDT[n]      [15:0] tail (one past the last descriptor software gave)
 * 0x01028  RXDCTL[n]   [25] ENABLE (reads 1 once the queue runs)  [30] VME
 * 0x01030  QPRC[n]     packets received on queue n (RC)
 * 0x01430  QPRDC[n]    packets dropped on queue n for lack of descriptors, DROP_EN set (RC)
 * 0x02100  SRRCTL[n]   [4:0] BSIZEPKT, KB  [13:8] BSIZEHDR, 64 B  [27:25] DESCTYPE  [28] DROP_EN  (n &lt; 16)
 * 0x02200  DCA_RXCTRL[n] (n &lt; 16)
 * 0x02F00  RDRXCTL     [1] CRCSTRIP  [3] DMAIDONE (RO: DMA init done after reset)
 * 0x03000  RXCTRL      [0] RXEN
 * 0x03C00  RXPBSIZE[0..7] [19:10] packet buffer size, KB
 * 0x03FA0  MPC[0..7]   missed packets: the packet buffer was full (RC)
 * 0x03FC0  RNBC[0..7]  frames that found no descriptor and waited in the packet buffer (RC)
 * 0x04074  GPRC, 0x04078 BPRC, 0x0407C MPRC, 0x04080 GPTC, 0x04088/C GORCL/H, 0x04090/4 GOTCL/H,
 * 0x040A4 RUC, 0x040AC ROC, 0x040C0/4 TORL/H, 0x040D0 TPR, 0x040D4 TPT, 0x040F0 MPTC, 0x040F4 BPTC  (all RC)
 * 0x04240  HLREG0      [0] TXCRCEN  [1] RXCRCSTRP  [2] JUMBOEN  [10] TXPADEN  [15] LPBK
 * 0x04268  MAXFRS      [31:16] MFS: longest frame accepted with JUMBOEN, FCS included (Linux MHADD)
 * 0x042A0  AUTOC       [12] AN_RESTART (self-clears)  [15:13] LMS  [8:7] 10G_PMA_PMD
 * 0x042A4  LINKS       [29:28] speed (01 100M, 10 1G, 11 10G)  [30] LINK_UP  (RO)
 * 0x04900  RTTDCS      [6] ARBDIS
 * 0x04A80  DMATXCTL    [0] TE (transmit DMA enable)
 * 0x05000  RXCSUM      [13] PCSD: the descriptor's dword 1 holds the RSS hash
 * 0x05080  FCTRL       [1] SBP  [8] MPE  [9] UPE  [10] BAM
 * 0x05128  ETQF[0..7]  [15:0] EtherType  [31] FILTER_EN
 * 0x05818  MRQC        [3:0] MRQE (0001 RSS)  [16] IPv4/TCP [17] IPv4 [20] IPv6 [21] IPv6/TCP
 *                      [22] IPv4/UDP [23] IPv6/UDP: the field sets RSS hashes (§7.1.2.8)
 * 0x05C00  RETA[0..31] four 8-bit entries, entry 4n + k in bits 8k+3:8k (a queue, 4 bits)
 * 0x05C80  RSSRK[0..9] the 40-byte RSS key, key byte 4n + k in bits 8k+7:8k
 * 0x05400  RAL[0..15]  MAC bytes 0..3 (byte 0 in bits 7:0); RAH at +4: [15:0] bytes 4..5, [31] AV
 * 0x06000  TDBAL[n], 0x06004 TDBAH, 0x06008 TDLEN, 0x06010 TDH, 0x06018 TDT, 0x06028 TXDCTL
 *                      ([6:0] PTHRESH [14:8] HTHRESH [22:16] WTHRESH [25] ENABLE), 0x06030 QPTC
 * 0x08100  DTXMXSZRQ
 * 0x0CC00  TXPBSIZE[0..7] [19:10] KB
 * 0x0EC00  ETQS[0..7]  [22:16] RX queue  [31] QUEUE_EN
 * 0x10010  EEC         [8] PRES  [9] ARD (EEPROM auto-read done)  (RO)
 * </pre>
 */
public final class IxgbeRegisters {

    private IxgbeRegisters() { }

    // ---------------------------------------------------------------- PCI identity and BARs

    /** Intel. */
    public static final int VENDOR_ID = 0x8086;
    /** 82599 10 GbE, SFP+ (the card ixy targets; {@code IXGBE_DEV_ID_82599_SFP}). */
    public static final int DEVICE_ID = 0x10FB;
    /** Network controller, Ethernet. */
    public static final int CLASS_CODE = 0x020000;

    /** BAR0/1: the 64-bit memory BAR of the registers. */
    public static final int CSR_BAR = 0;
    /** The register BAR's size: 128 KiB. */
    public static final long CSR_BAR_SIZE = 128 * 1024;
    /** BAR3/4: the 64-bit memory BAR holding the MSI-X table and PBA. */
    public static final int MSIX_BAR = 3;
    public static final long MSIX_BAR_SIZE = 16 * 1024;
    /** Offsets in the MSI-X BAR ({@code IXGBE_MSIXT}, {@code IXGBE_MSIXPBA}). */
    public static final int MSIX_TABLE = 0x0000;
    public static final int MSIX_PBA = 0x2000;
    /** MSI-X Table Size: 64 vectors ({@code IXGBE_MAX_MSIX_VECTORS_82599}). */
    public static final int MSIX_ENTRIES = 64;

    /** The 82599's queue count in each direction; per-queue registers exist for all of them. */
    public static final int HW_QUEUES = 128;
    /** Distance between one queue's registers and the next one's. */
    public static final int QUEUE_STRIDE = 0x40;
    /** Bytes per descriptor, receive and transmit. */
    public static final int DESCRIPTOR_SIZE = 16;
    /** RDLEN/TDLEN granularity: rings are a multiple of 128 bytes (8 descriptors). */
    public static final int RING_LENGTH_ALIGN = 128;

    // ---------------------------------------------------------------- general

    public static final int CTRL = 0x00000;
    public static final int CTRL_GIO_DIS = 1 << 2;
    public static final int CTRL_LNK_RST = 1 << 3;
    public static final int CTRL_RST = 1 << 26;
    public static final int CTRL_MASK = CTRL_GIO_DIS | CTRL_LNK_RST | CTRL_RST;

    public static final int STATUS = 0x00008;
    public static final int STATUS_LAN_ID_SHIFT = 2;
    public static final int STATUS_LAN_ID = 0x3 << STATUS_LAN_ID_SHIFT;
    public static final int STATUS_GIO = 1 << 19;

    public static final int CTRL_EXT = 0x00018;
    public static final int CTRL_EXT_PFRSTD = 1 << 14;
    public static final int CTRL_EXT_NS_DIS = 1 << 16;
    public static final int CTRL_EXT_RO_DIS = 1 << 17;
    public static final int CTRL_EXT_DRV_LOAD = 1 << 28;
    public static final int CTRL_EXT_MASK = CTRL_EXT_PFRSTD | CTRL_EXT_NS_DIS | CTRL_EXT_RO_DIS | CTRL_EXT_DRV_LOAD;

    public static final int EEC = 0x10010;
    public static final int EEC_PRES = 1 << 8;
    public static final int EEC_ARD = 1 << 9;

    // ---------------------------------------------------------------- interrupts (§7.3)

    public static final int EICR = 0x00800;
    public static final int EICS = 0x00808;
    public static final int EIAC = 0x00810;
    public static final int EIMS = 0x00880;
    public static final int EIMC = 0x00888;
    public static final int EIAM = 0x00890;
    public static final int GPIE = 0x00898;
    public static final int IVAR_MISC = 0x00A00;

    /** EICR bits 15:0: one per RTxQ cause (non-MSI-X) or per MSI-X vector 0..15. */
    public static final int EICR_RTX_QUEUE = 0x0000FFFF;
    public static final int EICR_RX_MISS = 1 << 17;
    /** PCI exception: this model sets it when a DMA request of the card is refused. */
    public static final int EICR_PCI = 1 << 18;
    public static final int EICR_LSC = 1 << 20;
    public static final int EICR_TCP_TIMER = 1 << 30;
    public static final int EICR_OTHER = 1 << 31;
    /** The "other causes" bits (30:16) and OTHER: routed to IVAR_MISC's other-causes vector. */
    public static final int EICR_OTHER_CAUSES = 0xFFFF0000;

    public static final int GPIE_MSIX_MODE = 1 << 4;
    /** Other Clear Disable: a read of EICR clears only bits 31:16. */
    public static final int GPIE_OCD = 1 << 5;
    public static final int GPIE_EIMEN = 1 << 6;
    /** EIAM applies when the MSI-X message is sent, not on EICR access. */
    public static final int GPIE_EIAME = 1 << 30;
    public static final int GPIE_PBA_SUPPORT = 1 << 31;
    public static final int GPIE_MASK = GPIE_MSIX_MODE | GPIE_OCD | GPIE_EIMEN | GPIE_EIAME | GPIE_PBA_SUPPORT;

    /** EITR[v]: vectors 0..23 at 0x820 + 4v, 24..63 at 0x12300 + 4(v - 24). */
    public static int eitr(int vector) {
        return vector <= 23 ? 0x00820 + 4 * vector : 0x12300 + 4 * (vector - 24);
    }

    public static final int EITR_INTERVAL_MASK = 0x00000FF8;
    public static final int EITR_INTERVAL_SHIFT = 3;
    /**
     * One step of the ITR interval field at 1 and 10 Gb/s: 2.048 us (DS 8.2.3.5.12; Intel's
     * ixgbe_type.h bounds the rate at 488,281/s for one step, 1/488,281 s = 2.048 us, and at
     * 956/s for the largest, 511 steps). Drivers round it to 2 us: Linux writes microseconds x 4.
     */
    public static final long EITR_INTERVAL_UNIT_NS = 2_048;
    public static final int EITR_LLI_MOD = 1 << 15;
    public static final int EITR_CNT_WDIS = 1 << 31;
    public static final int EITR_MASK = EITR_INTERVAL_MASK | EITR_LLI_MOD | EITR_CNT_WDIS;

    /** The minimum gap between two interrupts of a vector whose EITR holds {@code eitr}, ns. */
    public static long eitrIntervalNs(int eitr) {
        return ((eitr & EITR_INTERVAL_MASK) >>> EITR_INTERVAL_SHIFT) * EITR_INTERVAL_UNIT_NS;
    }

    /** IVAR[n], n 0..63: the allocation of RX and TX queues 2n and 2n + 1. */
    public static int ivar(int n) {
        return 0x00900 + 4 * n;
    }

    /** EICS_EX, EIMS_EX, EIMC_EX, EIAM_EX [i], i 0..1: MSI-X vectors 32i..32i+31. */
    public static int eicsEx(int i) { return 0x00A90 + 4 * i; }
    public static int eimsEx(int i) { return 0x00AA0 + 4 * i; }
    public static int eimcEx(int i) { return 0x00AB0 + 4 * i; }
    public static int eiamEx(int i) { return 0x00AD0 + 4 * i; }

    // ---------------------------------------------------------------- receive (§7.1)

    public static int rdbal(int n) { return queueRegister(0x01000, 0x0D000, n); }
    public static int rdbah(int n) { return queueRegister(0x01004, 0x0D004, n); }
    public static int rdlen(int n) { return queueRegister(0x01008, 0x0D008, n); }
    public static int rdh(int n) { return queueRegister(0x01010, 0x0D010, n); }
    public static int rdt(int n) { return queueRegister(0x01018, 0x0D018, n); }
    public static int rxdctl(int n) { return queueRegister(0x01028, 0x0D028, n); }

    /** SRRCTL[n]: 0..15 at 0x2100 + 4n, 16..63 at 0x1014 + 0x40n, 64..127 at 0xD014 + 0x40(n - 64). */
    public static int srrctl(int n) {
        return n <= 15 ? 0x02100 + 4 * n : queueRegister(0x01014, 0x0D014, n);
    }

    /** DCA_RXCTRL[n]: 0..15 at 0x2200 + 4n, then in the queue block. */
    public static int dcaRxctrl(int n) {
        return n <= 15 ? 0x02200 + 4 * n : queueRegister(0x0100C, 0x0D00C, n);
    }

    /** Base addresses are 128-byte aligned: bits 6:0 of RDBAL/TDBAL are reserved. */
    public static final int RING_BASE_LOW_MASK = 0xFFFFFF80;
    /** RDLEN/TDLEN bits 19:7. */
    public static final int RING_LENGTH_MASK = 0x000FFF80;
    public static final int HEAD_TAIL_MASK = 0x0000FFFF;

    public static final int RXDCTL_ENABLE = 1 << 25;
    public static final int RXDCTL_VME = 1 << 30;
    public static final int RXDCTL_MASK = RXDCTL_ENABLE | RXDCTL_VME;

    public static final int SRRCTL_BSIZEPKT_MASK = 0x1F;
    /** BSIZEPKT counts kilobytes. */
    public static final int SRRCTL_BSIZEPKT_UNIT = 1024;
    public static final int SRRCTL_BSIZEHDR_MASK = 0x3F00;
    public static final int SRRCTL_RDMTS_MASK = 0x01C00000;
    public static final int SRRCTL_DESCTYPE_MASK = 0x0E000000;
    public static final int SRRCTL_DESCTYPE_LEGACY = 0x00000000;
    public static final int SRRCTL_DESCTYPE_ADV_ONEBUF = 0x02000000;
    public static final int SRRCTL_DROP_EN = 1 << 28;
    public static final int SRRCTL_MASK = SRRCTL_BSIZEPKT_MASK | SRRCTL_BSIZEHDR_MASK | SRRCTL_RDMTS_MASK
            | SRRCTL_DESCTYPE_MASK | SRRCTL_DROP_EN;
    /** Reset value: 2 KB packet buffers, 256-byte header buffers. */
    public static final int SRRCTL_RESET = 0x00000402;

    public static final int RDRXCTL = 0x02F00;
    public static final int RDRXCTL_CRCSTRIP = 1 << 1;
    public static final int RDRXCTL_DMAIDONE = 1 << 3;

    public static final int RXCTRL = 0x03000;
    public static final int RXCTRL_RXEN = 1;

    public static int rxpbsize(int n) { return 0x03C00 + 4 * n; }
    public static int txpbsize(int n) { return 0x0CC00 + 4 * n; }
    /** RXPBSIZE/TXPBSIZE bits 19:10: the size in KB. */
    public static final int PBSIZE_MASK = 0x000FFC00;
    public static final int PACKET_BUFFERS = 8;

    public static final int FCTRL = 0x05080;
    public static final int FCTRL_SBP = 1 << 1;
    public static final int FCTRL_MPE = 1 << 8;
    public static final int FCTRL_UPE = 1 << 9;
    public static final int FCTRL_BAM = 1 << 10;
    public static final int FCTRL_MASK = FCTRL_SBP | FCTRL_MPE | FCTRL_UPE | FCTRL_BAM;

    // ---------------------------------------------------------------- RSS (§7.1.2.8, §8.2.3.7)

    public static final int RXCSUM = 0x05000;
    /** Packet checksum disable: dword 1 of a receive write-back holds the RSS hash, not the IP id and checksum. */
    public static final int RXCSUM_PCSD = 1 << 13;
    public static final int RXCSUM_MASK = RXCSUM_PCSD;

    public static final int MRQC = 0x05818;
    public static final int MRQC_MRQE_MASK = 0xF;
    /** MRQE = 0001b: RSS only. */
    public static final int MRQC_RSSEN = 0x1;
    public static final int MRQC_RSS_FIELD_IPV4_TCP = 1 << 16;
    public static final int MRQC_RSS_FIELD_IPV4 = 1 << 17;
    public static final int MRQC_RSS_FIELD_IPV6 = 1 << 20;
    public static final int MRQC_RSS_FIELD_IPV6_TCP = 1 << 21;
    public static final int MRQC_RSS_FIELD_IPV4_UDP = 1 << 22;
    public static final int MRQC_RSS_FIELD_IPV6_UDP = 1 << 23;
    public static final int MRQC_RSS_FIELDS = MRQC_RSS_FIELD_IPV4_TCP | MRQC_RSS_FIELD_IPV4 | MRQC_RSS_FIELD_IPV6
            | MRQC_RSS_FIELD_IPV6_TCP | MRQC_RSS_FIELD_IPV4_UDP | MRQC_RSS_FIELD_IPV6_UDP;
    public static final int MRQC_MASK = MRQC_MRQE_MASK | MRQC_RSS_FIELDS;

    /** RETA[n], n 0..31: the redirection table's entries 4n..4n+3. */
    public static int reta(int n) { return 0x05C00 + 4 * n; }
    public static final int RETA_REGISTERS = 32;
    public static final int RETA_ENTRIES = 128;
    /** Each 8-bit entry holds a queue index in its low 4 bits; bits 7:4 are reserved. */
    public static final int RETA_ENTRY_MASK = 0xF;
    public static final int RETA_MASK = 0x0F0F0F0F;

    /** RSSRK[n], n 0..9: the RSS key's bytes 4n..4n+3, byte 4n in bits 7:0. */
    public static int rssrk(int n) { return 0x05C80 + 4 * n; }
    public static final int RSSRK_REGISTERS = 10;
    public static final int RSS_KEY_BYTES = 40;

    /** RAL/RAH[n]: 0..15 at 0x5400 + 8n, 16..127 at 0xA200 + 8n. */
    public static int ral(int n) { return n <= 15 ? 0x05400 + 8 * n : 0x0A200 + 8 * n; }
    public static int rah(int n) { return ral(n) + 4; }
    public static final int RAH_ADDRESS_HIGH = 0x0000FFFF;
    public static final int RAH_VIND = 0x003C0000;
    public static final int RAH_AV = 1 << 31;
    public static final int RAH_MASK = RAH_ADDRESS_HIGH | RAH_VIND | RAH_AV;

    /** ETQF[i] / ETQS[i], i 0..7: EtherType filters that steer a frame to a queue. */
    public static int etqf(int i) { return 0x05128 + 4 * i; }
    public static int etqs(int i) { return 0x0EC00 + 4 * i; }
    public static final int ETQ_FILTERS = 8;
    public static final int ETQF_ETYPE = 0x0000FFFF;
    public static final int ETQF_FILTER_EN = 1 << 31;
    public static final int ETQS_RX_QUEUE_SHIFT = 16;
    public static final int ETQS_RX_QUEUE = 0x7F << ETQS_RX_QUEUE_SHIFT;
    public static final int ETQS_QUEUE_EN = 1 << 31;

    // ---------------------------------------------------------------- MAC

    public static final int HLREG0 = 0x04240;
    public static final int HLREG0_TXCRCEN = 1;
    public static final int HLREG0_RXCRCSTRP = 1 << 1;
    public static final int HLREG0_JUMBOEN = 1 << 2;
    public static final int HLREG0_TXPADEN = 1 << 10;
    public static final int HLREG0_LPBK = 1 << 15;
    public static final int HLREG0_MASK = HLREG0_TXCRCEN | HLREG0_RXCRCSTRP | HLREG0_JUMBOEN | HLREG0_TXPADEN | HLREG0_LPBK;

    /** MAXFRS (Linux MHADD), §8.2.3.22.13: MFS in bits 31:16. */
    public static final int MAXFRS = 0x04268;
    public static final int MAXFRS_MFS_SHIFT = 16;
    public static final int MAXFRS_MFS_MASK = 0xFFFF0000;
    /** Reset value: MFS = 1518, a standard frame with its FCS. */
    public static final int MAXFRS_RESET = 1518 << MAXFRS_MFS_SHIFT;
    /** The longest frame the 82599 accepts with JUMBOEN, FCS included (15.5 KB; Linux supports 9728). */
    public static final int MAX_FRAME_SIZE_LIMIT = 15_872;
    /** The longest frame without JUMBOEN, FCS included: 1500 bytes of payload, a header, a VLAN tag. */
    public static final int STANDARD_MAX_FRAME = 1522;

    public static final int AUTOC = 0x042A0;
    public static final int AUTOC_10G_PMA_PMD_MASK = 0x3 << 7;
    public static final int AUTOC_AN_RESTART = 1 << 12;
    public static final int AUTOC_LMS_SHIFT = 13;
    public static final int AUTOC_LMS_MASK = 0x7 << AUTOC_LMS_SHIFT;
    public static final int AUTOC_LMS_10G_SERIAL = 0x3 << AUTOC_LMS_SHIFT;
    public static final int AUTOC_MASK = AUTOC_10G_PMA_PMD_MASK | AUTOC_AN_RESTART | AUTOC_LMS_MASK;

    public static final int LINKS = 0x042A4;
    public static final int LINKS_SPEED_SHIFT = 28;
    public static final int LINKS_SPEED_MASK = 0x3 << LINKS_SPEED_SHIFT;
    public static final int LINKS_SPEED_100M = 0x1 << LINKS_SPEED_SHIFT;
    public static final int LINKS_SPEED_1G = 0x2 << LINKS_SPEED_SHIFT;
    public static final int LINKS_SPEED_10G = 0x3 << LINKS_SPEED_SHIFT;
    public static final int LINKS_UP = 1 << 30;

    // ---------------------------------------------------------------- transmit (§7.2)

    public static int tdbal(int n) { return 0x06000 + QUEUE_STRIDE * n; }
    public static int tdbah(int n) { return 0x06004 + QUEUE_STRIDE * n; }
    public static int tdlen(int n) { return 0x06008 + QUEUE_STRIDE * n; }
    public static int tdh(int n) { return 0x06010 + QUEUE_STRIDE * n; }
    public static int tdt(int n) { return 0x06018 + QUEUE_STRIDE * n; }
    public static int txdctl(int n) { return 0x06028 + QUEUE_STRIDE * n; }

    public static final int TXDCTL_PTHRESH = 0x7F;
    public static final int TXDCTL_HTHRESH = 0x7F << 8;
    public static final int TXDCTL_WTHRESH = 0x7F << 16;
    public static final int TXDCTL_ENABLE = 1 << 25;
    public static final int TXDCTL_SWFLSH = 1 << 26;
    public static final int TXDCTL_MASK = TXDCTL_PTHRESH | TXDCTL_HTHRESH | TXDCTL_WTHRESH | TXDCTL_ENABLE | TXDCTL_SWFLSH;

    public static final int DMATXCTL = 0x04A80;
    public static final int DMATXCTL_TE = 1;
    public static final int RTTDCS = 0x04900;
    public static final int RTTDCS_ARBDIS = 1 << 6;
    public static final int DTXMXSZRQ = 0x08100;

    // ---------------------------------------------------------------- statistics (clear on read)

    public static int mpc(int n) { return 0x03FA0 + 4 * n; }
    public static int rnbc(int n) { return 0x03FC0 + 4 * n; }
    public static int qprc(int n) { return 0x01030 + QUEUE_STRIDE * n; }
    public static int qprdc(int n) { return 0x01430 + QUEUE_STRIDE * n; }
    public static int qptc(int n) { return 0x06030 + QUEUE_STRIDE * n; }
    /** Per-queue statistics registers exist for queues 0..15. */
    public static final int QUEUE_STATISTICS = 16;

    public static final int GPRC = 0x04074;
    public static final int BPRC = 0x04078;
    public static final int MPRC = 0x0407C;
    public static final int GPTC = 0x04080;
    public static final int GORCL = 0x04088;
    public static final int GORCH = 0x0408C;
    public static final int GOTCL = 0x04090;
    public static final int GOTCH = 0x04094;
    public static final int TORL = 0x040C0;
    public static final int TORH = 0x040C4;
    public static final int TPR = 0x040D0;
    public static final int TPT = 0x040D4;
    /** Receive undersize count: frames shorter than 64 bytes with FCS. */
    public static final int RUC = 0x040A4;
    /** Receive oversize count: frames longer than the maximum (1518 bytes with FCS, or a jumbo limit with JUMBOEN). */
    public static final int ROC = 0x040AC;
    public static final int MPTC = 0x040F0;
    public static final int BPTC = 0x040F4;
    /** GORCH, GOTCH, TORH: the high 4 bits of a 36-bit octet counter. */
    public static final int OCTETS_HIGH_MASK = 0xF;

    /** Octets counted per frame besides the bytes a MAC hands over: its 4-byte FCS. */
    public static final int FCS_BYTES = 4;

    /** Register of queue {@code n} in the block at {@code low} (queues 0..63) or {@code high} (64..127). */
    private static int queueRegister(int low, int high, int n) {
        if (n < 0 || n >= HW_QUEUES) {
            throw new IllegalArgumentException("queue " + n + " is outside 0.." + (HW_QUEUES - 1));
        }
        return n < 64 ? low + QUEUE_STRIDE * n : high + QUEUE_STRIDE * (n - 64);
    }
}
