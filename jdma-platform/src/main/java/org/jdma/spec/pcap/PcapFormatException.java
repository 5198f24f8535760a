package org.jdma.spec.pcap;

import java.io.IOException;

/**
 * A pcap file that does not follow the format: the message names the field and the byte offset in
 * the file where it starts. Not retryable: the bytes are wrong.
 */
public final class PcapFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String field;

    public PcapFormatException(long offset, String field, String problem) {
        this(offset, field, null, problem);
    }

    /** {@code record} is the index (from 0) of the record the field belongs to, null for the file header. */
    public PcapFormatException(long offset, String field, Long record, String problem) {
        super("pcap: " + field + " at offset " + offset + (record == null ? "" : " (record " + record + ")")
                + ": " + problem);
        this.offset = offset;
        this.field = field;
    }

    /** Byte offset in the file of the field that is wrong (or of the first byte that is missing). */
    public long offset() {
        return offset;
    }

    /** The field's name as {@code pcap-savefile(5)} spells it ({@code magic}, {@code incl_len}, ...). */
    public String field() {
        return field;
    }
}
