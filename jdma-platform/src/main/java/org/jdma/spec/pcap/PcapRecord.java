package org.jdma.spec.pcap;

import java.util.Objects;

/**
 * One captured frame.
 *
 * @param timestampNs    capture time, nanoseconds since 1970-01-01 00:00 UTC (or since the start of
 *                       a modeled run); a microsecond file gives whole microseconds
 * @param originalLength bytes the frame had on the wire (without FCS for Ethernet)
 * @param data           the bytes stored ({@code incl_len} of them), at most the original length
 */
public record PcapRecord(long timestampNs, int originalLength, byte[] data) {

    public PcapRecord {
        Objects.requireNonNull(data, "data");
        if (timestampNs < 0) {
            throw new IllegalArgumentException("timestamp " + timestampNs + " ns is before 1970");
        }
        if (originalLength < data.length) {
            throw new IllegalArgumentException("orig_len " + originalLength + " < incl_len " + data.length);
        }
    }

    /** Whether the snapshot length cut the frame short. */
    public boolean truncated() {
        return data.length < originalLength;
    }
}
