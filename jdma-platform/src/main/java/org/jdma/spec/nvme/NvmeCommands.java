package org.jdma.spec.nvme;

/**
 * Opcodes and command dwords of the admin commands (NVMe base spec §5) and NVM I/O commands
 * (NVM command set §6 in 1.4) this subset has. Dword fields are given as shift and mask of the
 * dword named ({@code CDW10} at {@link SubmissionEntryLayout#CDW10}, ...).
 *
 * <pre>
 * Create I/O CQ (0x05)  PRP1 base   CDW10 QID [15:0] QSIZE [31:16] (0's based)
 *                                   CDW11 PC [0] IEN [1] IV [31:16]
 * Create I/O SQ (0x01)  PRP1 base   CDW10 as above   CDW11 PC [0] QPRIO [2:1] CQID [31:16]
 * Delete I/O SQ/CQ (0x00/0x04)      CDW10 QID [15:0]
 * Identify (0x06)       PRP1/PRP2   CDW10 CNS [7:0] CNTID [31:16]
 * Abort (0x08)                      CDW10 SQID [15:0] CID [31:16]; DW0 bit 0 = 1: not aborted
 * Set/Get Features (0x09/0x0A)      CDW10 FID [7:0] (Set: SV [31]; Get: SEL [10:8]); CDW11 value
 * Asynchronous Event Request (0x0C) DW0 type [2:0], info [15:8], log page [23:16]
 * Get Log Page (0x02)   PRP1/PRP2   CDW10 LID [7:0] LSP [14:8] RAE [15] NUMDL [31:16]
 *                                   CDW11 NUMDU [15:0] (NUMD 0's based dwords)  CDW12 LPOL  CDW13 LPOU
 * Read/Write/Write Zeroes (0x02/0x01/0x08)
 *                       CDW10-11 SLBA (64)  CDW12 NLB [15:0] (0's based) DEAC [25] FUA [30] LR [31]
 * Dataset Management (0x09)         CDW10 NR [7:0] (0's based)  CDW11 IDR [0] IDW [1] AD [2]
 * </pre>
 */
public final class NvmeCommands {

    private NvmeCommands() { }

    // admin opcodes (§5, Figure 139 in 1.4)
    public static final int ADMIN_DELETE_SQ = 0x00;
    public static final int ADMIN_CREATE_SQ = 0x01;
    public static final int ADMIN_GET_LOG_PAGE = 0x02;
    public static final int ADMIN_DELETE_CQ = 0x04;
    public static final int ADMIN_CREATE_CQ = 0x05;
    public static final int ADMIN_IDENTIFY = 0x06;
    public static final int ADMIN_ABORT = 0x08;
    public static final int ADMIN_SET_FEATURES = 0x09;
    public static final int ADMIN_GET_FEATURES = 0x0A;
    public static final int ADMIN_ASYNC_EVENT_REQUEST = 0x0C;

    // NVM opcodes (NVM command set, Figure 346 in 1.4)
    public static final int NVM_FLUSH = 0x00;
    public static final int NVM_WRITE = 0x01;
    public static final int NVM_READ = 0x02;
    public static final int NVM_WRITE_ZEROES = 0x08;
    public static final int NVM_DATASET_MANAGEMENT = 0x09;

    // queue creation
    public static final int QID_MASK = 0xFFFF;
    public static final int QSIZE_SHIFT = 16;
    public static final int PC = 1;
    public static final int IEN = 1 << 1;
    public static final int IV_SHIFT = 16;
    public static final int CQID_SHIFT = 16;
    public static final int QPRIO_SHIFT = 1;

    /** CDW10 of Create I/O SQ/CQ: queue {@code qid} with {@code entries} entries. */
    public static int createQueueCdw10(int qid, int entries) {
        return (entries - 1) << QSIZE_SHIFT | qid & QID_MASK;
    }

    /** CDW11 of Create I/O CQ: physically contiguous, interrupts on vector {@code iv} if {@code ien}. */
    public static int createCqCdw11(int iv, boolean ien) {
        return iv << IV_SHIFT | (ien ? IEN : 0) | PC;
    }

    /** CDW11 of Create I/O SQ: physically contiguous, completing to {@code cqid}. */
    public static int createSqCdw11(int cqid) {
        return cqid << CQID_SHIFT | PC;
    }

    // Identify
    public static final int CNS_MASK = 0xFF;
    public static final int CNS_NAMESPACE = 0x00;
    public static final int CNS_CONTROLLER = 0x01;
    public static final int CNS_ACTIVE_NAMESPACES = 0x02;
    /** Every Identify data structure is one 4 KiB buffer. */
    public static final int IDENTIFY_SIZE = 4096;

    // Abort
    public static final int ABORT_SQID_MASK = 0xFFFF;
    public static final int ABORT_CID_SHIFT = 16;
    /** Abort's DW0 bit 0: set when the command was not aborted. */
    public static final int ABORT_NOT_ABORTED = 1;

    public static int abortCdw10(int sqid, int cid) {
        return cid << ABORT_CID_SHIFT | sqid & ABORT_SQID_MASK;
    }

    // Features (§5.21.1)
    public static final int FID_MASK = 0xFF;
    public static final int FEATURE_SAVE = 1 << 31;
    public static final int FID_NUMBER_OF_QUEUES = 0x07;
    public static final int FID_INTERRUPT_COALESCING = 0x08;
    public static final int FID_INTERRUPT_VECTOR_CONFIG = 0x09;
    /** Number of Queues: NSQR [15:0], NCQR [31:16], both 0's based (request and grant alike). */
    public static final int NQ_NCQR_SHIFT = 16;
    public static final int NQ_MASK = 0xFFFF;

    public static int numberOfQueues(int sqs, int cqs) {
        return (cqs - 1) << NQ_NCQR_SHIFT | (sqs - 1) & NQ_MASK;
    }

    /** Interrupt Coalescing: THR [7:0] completions (0's based), TIME [15:8] in 100 us units. */
    public static final int IC_THR_MASK = 0xFF;
    public static final int IC_TIME_SHIFT = 8;
    public static final int IC_TIME_MASK = 0xFF << IC_TIME_SHIFT;
    public static final long IC_TIME_UNIT_NS = 100_000;

    public static int interruptCoalescing(int threshold0s, int time100us) {
        return (time100us & 0xFF) << IC_TIME_SHIFT | threshold0s & IC_THR_MASK;
    }

    /** Interrupt Vector Configuration: IV [15:0], CD (coalescing disable) [16]. */
    public static final int IVC_CD = 1 << 16;

    // Asynchronous events (§5.2)
    public static final int AER_TYPE_ERROR = 0;
    public static final int AER_INFO_SHIFT = 8;
    public static final int AER_LOG_PAGE_SHIFT = 16;
    /** Error event info: write to an invalid doorbell register. */
    public static final int AER_ERROR_INVALID_DOORBELL = 0;
    /** Error event info: invalid doorbell write value. */
    public static final int AER_ERROR_INVALID_DOORBELL_VALUE = 1;
    public static final int AER_TYPE_SMART = 1;
    public static final int AER_TYPE_NOTICE = 2;
    public static final int AER_TYPE_MASK = 0x7;
    /** SMART / Health event info: NVM subsystem reliability, temperature threshold, spare below threshold. */
    public static final int AER_SMART_RELIABILITY = 0;
    public static final int AER_SMART_TEMPERATURE = 1;
    public static final int AER_SMART_SPARE = 2;

    // Get Log Page (§5.16)
    public static final int LOG_ERROR_INFORMATION = 0x01;
    public static final int LOG_SMART = 0x02;
    public static final int LOG_FIRMWARE_SLOT = 0x03;
    public static final int LOG_LID_MASK = 0xFF;
    /** Retain Asynchronous Event: reading the log does not clear the event's mask. */
    public static final int LOG_RAE = 1 << 15;
    public static final int LOG_NUMDL_SHIFT = 16;
    public static final int LOG_NUMDU_MASK = 0xFFFF;

    /** CDW10 of Get Log Page for {@code dwords} dwords (1..2^32) of log {@code lid}. */
    public static int getLogCdw10(int lid, boolean rae, long dwords) {
        return (int) ((dwords - 1) & 0xFFFF) << LOG_NUMDL_SHIFT | (rae ? LOG_RAE : 0) | lid & LOG_LID_MASK;
    }

    /** CDW11 of Get Log Page: NUMDU, the upper half of the 0's based dword count. */
    public static int getLogCdw11(long dwords) {
        return (int) ((dwords - 1) >>> 16 & LOG_NUMDU_MASK);
    }

    /** Features: Temperature Threshold TMPTH [15:0] kelvin, TMPSEL [19:16], THSEL [21:20] (0 over, 1 under). */
    public static final int FID_TEMPERATURE_THRESHOLD = 0x04;
    public static final int TMPTH_MASK = 0xFFFF;
    public static final int THSEL_SHIFT = 20;
    public static final int THSEL_UNDER = 1;
    /** Features: Asynchronous Event Configuration, [7:0] SMART / Health critical warnings that raise events. */
    public static final int FID_ASYNC_EVENT_CONFIG = 0x0B;
    public static final int AEC_SMART_MASK = 0xFF;

    public static int asyncEvent(int type, int info, int logPage) {
        return logPage << AER_LOG_PAGE_SHIFT | info << AER_INFO_SHIFT | type;
    }

    // Read / Write / Write Zeroes
    public static final int NLB_MASK = 0xFFFF;
    public static final int RW_DEAC = 1 << 25;
    public static final int RW_FUA = 1 << 30;
    public static final int RW_LR = 1 << 31;

    // Dataset Management
    public static final int DSM_NR_MASK = 0xFF;
    public static final int DSM_IDR = 1;
    public static final int DSM_IDW = 1 << 1;
    public static final int DSM_AD = 1 << 2;
    /** At most 256 ranges per command. */
    public static final int DSM_MAX_RANGES = 256;
}
