package org.jdma.spec.nvme;

/**
 * Status codes as {@code SCT << 8 | SC} (NVMe base spec §4.6.1.2, "Status Code"; Linux
 * {@code NVME_SC_*}): SCT 0 generic, 1 command specific, 2 media and data integrity.
 */
public final class NvmeStatus {

    private NvmeStatus() { }

    public static final int SCT_GENERIC = 0;
    public static final int SCT_COMMAND_SPECIFIC = 1;
    public static final int SCT_MEDIA = 2;

    // generic (§4.6.1.2.1)
    public static final int SUCCESS = 0x00;
    public static final int INVALID_OPCODE = 0x01;
    public static final int INVALID_FIELD = 0x02;
    public static final int CID_CONFLICT = 0x03;
    public static final int DATA_TRANSFER_ERROR = 0x04;
    public static final int ABORTED_POWER_LOSS = 0x05;
    public static final int INTERNAL_ERROR = 0x06;
    public static final int ABORTED_BY_REQUEST = 0x07;
    public static final int ABORTED_SQ_DELETED = 0x08;
    public static final int INVALID_NAMESPACE = 0x0B;
    public static final int COMMAND_SEQUENCE_ERROR = 0x0C;
    public static final int INVALID_SGL_SEGMENT_DESCRIPTOR = 0x0D;
    public static final int INVALID_NUMBER_OF_SGL_DESCRIPTORS = 0x0E;
    public static final int DATA_SGL_LENGTH_INVALID = 0x0F;
    public static final int METADATA_SGL_LENGTH_INVALID = 0x10;
    public static final int SGL_DESCRIPTOR_TYPE_INVALID = 0x11;
    public static final int PRP_OFFSET_INVALID = 0x13;
    public static final int SGL_OFFSET_INVALID = 0x16;
    // generic, NVM command set
    public static final int LBA_OUT_OF_RANGE = 0x80;
    public static final int CAPACITY_EXCEEDED = 0x81;
    public static final int NAMESPACE_NOT_READY = 0x82;

    // command specific (§5, per command)
    public static final int COMPLETION_QUEUE_INVALID = 0x100;
    public static final int INVALID_QUEUE_IDENTIFIER = 0x101;
    public static final int INVALID_QUEUE_SIZE = 0x102;
    public static final int ABORT_COMMAND_LIMIT_EXCEEDED = 0x103;
    public static final int ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED = 0x105;
    public static final int INVALID_INTERRUPT_VECTOR = 0x108;
    public static final int INVALID_LOG_PAGE = 0x109;
    public static final int INVALID_QUEUE_DELETION = 0x10C;
    public static final int FEATURE_NOT_CHANGEABLE = 0x10E;

    // media and data integrity (§4.6.1.2.4)
    public static final int WRITE_FAULT = 0x280;
    public static final int UNRECOVERED_READ_ERROR = 0x281;

    /** The status code type of {@code status}. */
    public static int sct(int status) {
        return status >>> 8 & 0x7;
    }

    /** The spec's name of {@code status}, or its number. */
    public static String name(int status) {
        return switch (status) {
            case SUCCESS -> "Successful Completion";
            case INVALID_OPCODE -> "Invalid Command Opcode";
            case INVALID_FIELD -> "Invalid Field in Command";
            case CID_CONFLICT -> "Command ID Conflict";
            case DATA_TRANSFER_ERROR -> "Data Transfer Error";
            case ABORTED_POWER_LOSS -> "Commands Aborted due to Power Loss Notification";
            case INTERNAL_ERROR -> "Internal Error";
            case ABORTED_BY_REQUEST -> "Command Abort Requested";
            case ABORTED_SQ_DELETED -> "Command Aborted due to SQ Deletion";
            case INVALID_NAMESPACE -> "Invalid Namespace or Format";
            case COMMAND_SEQUENCE_ERROR -> "Command Sequence Error";
            case INVALID_SGL_SEGMENT_DESCRIPTOR -> "Invalid SGL Segment Descriptor";
            case INVALID_NUMBER_OF_SGL_DESCRIPTORS -> "Invalid Number of SGL Descriptors";
            case DATA_SGL_LENGTH_INVALID -> "Data SGL Length Invalid";
            case METADATA_SGL_LENGTH_INVALID -> "Metadata SGL Length Invalid";
            case SGL_DESCRIPTOR_TYPE_INVALID -> "SGL Descriptor Type Invalid";
            case PRP_OFFSET_INVALID -> "PRP Offset Invalid";
            case SGL_OFFSET_INVALID -> "SGL Offset Invalid";
            case LBA_OUT_OF_RANGE -> "LBA Out of Range";
            case CAPACITY_EXCEEDED -> "Capacity Exceeded";
            case NAMESPACE_NOT_READY -> "Namespace Not Ready";
            case COMPLETION_QUEUE_INVALID -> "Completion Queue Invalid";
            case INVALID_QUEUE_IDENTIFIER -> "Invalid Queue Identifier";
            case INVALID_QUEUE_SIZE -> "Invalid Queue Size";
            case ABORT_COMMAND_LIMIT_EXCEEDED -> "Abort Command Limit Exceeded";
            case ASYNC_EVENT_REQUEST_LIMIT_EXCEEDED -> "Asynchronous Event Request Limit Exceeded";
            case INVALID_INTERRUPT_VECTOR -> "Invalid Interrupt Vector";
            case INVALID_LOG_PAGE -> "Invalid Log Page";
            case INVALID_QUEUE_DELETION -> "Invalid Queue Deletion";
            case FEATURE_NOT_CHANGEABLE -> "Feature Not Changeable";
            case WRITE_FAULT -> "Write Fault";
            case UNRECOVERED_READ_ERROR -> "Unrecovered Read Error";
            default -> String.format("status %#05x", status);
        };
    }
}
