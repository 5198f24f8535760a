package org.jdma.spec.memcpy;

/**
 * Completion record status codes ({@code enum dsa_completion_status} in Linux
 * include/uapi/linux/idxd.h, names without the {@code DSA_COMP_} prefix; DSA spec §8.3.2
 * Table 8-2). The low 7 bits hold the code ({@code DSA_COMP_STATUS_MASK}); bit 7
 * ({@link #WRITE_FAULT_BIT}, {@code DSA_COMP_STATUS_WRITE}) is set when a page fault was on a write.
 *
 * <p>Codes 0x06-0x09 are defined so that a driver can decode every DSA status; this engine
 * produces BATCH_PAGE_FAULT (an unreadable batch list or chain link) but runs no delta-record or
 * DIF operation, so never 0x07-0x09. The DSA 2.0 event-log codes (0x26 DRAIN_EVL, 0x27
 * BATCH_EVL_ERR) are not defined: this engine has no event log.
 */
public enum CompletionStatus {
    NONE(0x00, false),
    SUCCESS(0x01, false),
    SUCCESS_PRED(0x02, false),
    /** A page fault with Block On Fault clear: bytes completed and the fault address say where to resume. */
    PAGE_FAULT_NOBOF(0x03, true),
    /** A page fault with Block On Fault set whose page request got an invalid response (or none in time). */
    PAGE_FAULT_IR(0x04, true),
    /** Some member of a batch (or link of a chain) completed with a status other than SUCCESS. */
    BATCH_FAIL(0x05, true),
    /** A page fault while reading a batch's descriptor list (here also: a chain link). */
    BATCH_PAGE_FAULT(0x06, true),
    /** Apply Delta Record: the offsets in the delta record are not increasing. */
    DR_OFFSET_NOINC(0x07, true),
    /** Apply Delta Record: an offset in the delta record is beyond the destination. */
    DR_OFFSET_ERANGE(0x08, true),
    /** A DIF check, strip or update found a bad protection-information tuple. */
    DIF_ERR(0x09, true),
    BAD_OPCODE(0x10, true),
    INVALID_FLAGS(0x11, true),
    NOZERO_RESERVE(0x12, true),
    XFER_ERANGE(0x13, true),
    DESC_CNT_ERANGE(0x14, true),
    DR_ERANGE(0x15, true),
    OVERLAP_BUFFERS(0x16, true),
    DCAST_ERR(0x17, true),
    DESCLIST_ALIGN(0x18, true),
    INT_HANDLE_INVAL(0x19, true),
    CRA_XLAT(0x1A, true),
    CRA_ALIGN(0x1B, true),
    ADDR_ALIGN(0x1C, true),
    PRIV_BAD(0x1D, true),
    TRAFFIC_CLASS_CONF(0x1E, true),
    PFAULT_RDBA(0x1F, true),
    HW_ERR1(0x20, true),
    HW_ERR_DRB(0x21, true),
    TRANSLATION_FAIL(0x22, true);

    /** Mask of the status code in the status byte. */
    public static final int CODE_MASK = 0x7F;
    /** Set in the status byte when the fault was on a write. */
    public static final int WRITE_FAULT_BIT = 0x80;

    private final int code;
    private final boolean error;

    CompletionStatus(int code, boolean error) {
        this.code = code;
        this.error = error;
    }

    public int code() {
        return code;
    }

    public boolean isError() {
        return error;
    }

    /**
     * Status by code (null where no status has that code). A table, not a scan of {@code values()}:
     * drivers decode a status per completion, and {@code values()} clones its array on every call.
     */
    private static final CompletionStatus[] BY_CODE = new CompletionStatus[CODE_MASK + 1];

    static {
        for (CompletionStatus s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    /** Decodes a status byte (ignores the write-fault bit); unknown codes give null. */
    public static CompletionStatus fromStatusByte(int statusByte) {
        return BY_CODE[statusByte & CODE_MASK];
    }
}
