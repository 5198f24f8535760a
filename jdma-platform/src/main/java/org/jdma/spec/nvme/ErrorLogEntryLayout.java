package org.jdma.spec.nvme;

/**
 * One entry of the Error Information log page (Log Identifier 01h), 64 bytes (NVMe base spec 2.0
 * §5.16.1.2, Figure 206; Linux {@code struct nvme_error_log_page}). The page is a set of these,
 * most recent error first; an entry whose Error Count is 0 is unused. Identify Controller ELPE
 * gives the number of entries kept, 0's based.
 *
 * <pre>
 * 0   Error Count (64)         8   SQID (16)      10  CID (16)
 * 12  Status Field (16): [15:1] status as in a CQE, [0] phase tag
 * 14  Parameter Error Location (16): byte [7:0], bit [10:8]
 * 16  LBA (64)                 24  Namespace (32)  28  Vendor Specific Information Available
 * 29  Transport Type           32  Command Specific Information (64)
 * 40  Transport Type Specific Information (16)    42..63 reserved
 * </pre>
 */
public final class ErrorLogEntryLayout {

    private ErrorLogEntryLayout() { }

    public static final int SIZE = 64;

    public static final int ERROR_COUNT = 0;
    public static final int SQID = 8;
    public static final int CID = 10;
    public static final int STATUS_FIELD = 12;
    public static final int PARAMETER_ERROR_LOCATION = 14;
    public static final int LBA = 16;
    public static final int NAMESPACE = 24;
    public static final int VENDOR_SPECIFIC = 28;
    public static final int TRANSPORT_TYPE = 29;
    public static final int COMMAND_SPECIFIC = 32;
    public static final int TRANSPORT_SPECIFIC = 40;

    /** Parameter Error Location when no single field is to blame. */
    public static final int NO_LOCATION = 0xFFFF;

    /** Parameter Error Location: byte {@code b} of the command, bit {@code bit} (0..7) of it. */
    public static int parameterErrorLocation(int b, int bit) {
        return (bit & 0x7) << 8 | b & 0xFF;
    }

    /** The Status Field word: the CQE status (SCT, SC, DNR) in [15:1], phase tag [0] as 0. */
    public static int statusField(int status, boolean dnr) {
        return CompletionEntryLayout.statusWord(status, dnr, 0);
    }

    /** Byte offset of entry {@code i} within the page. */
    public static int entry(int i) {
        return i * SIZE;
    }
}
