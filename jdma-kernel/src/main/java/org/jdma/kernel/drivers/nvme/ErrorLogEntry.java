package org.jdma.kernel.drivers.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.nvme.CompletionEntryLayout;
import org.jdma.spec.nvme.ErrorLogEntryLayout;

/**
 * One Error Information log entry (01h) as the driver reads it.
 *
 * @param status {@code SCT << 8 | SC} of the failed command
 */
public record ErrorLogEntry(long errorCount, int sqid, int cid, int status, int parameterErrorLocation, long lba, int nsid) {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The used entries of a page (error count not 0), in the page's order: most recent first. */
    public static List<ErrorLogEntry> decodeAll(byte[] page) {
        MemorySegment b = MemorySegment.ofArray(page);
        List<ErrorLogEntry> entries = new ArrayList<>();
        for (int at = 0; at + ErrorLogEntryLayout.SIZE <= page.length; at += ErrorLogEntryLayout.SIZE) {
            long count = b.get(LE_LONG, at + ErrorLogEntryLayout.ERROR_COUNT);
            if (count != 0) {
                entries.add(new ErrorLogEntry(count, b.get(LE_SHORT, at + ErrorLogEntryLayout.SQID) & 0xFFFF,
                        b.get(LE_SHORT, at + ErrorLogEntryLayout.CID) & 0xFFFF,
                        CompletionEntryLayout.status(b.get(LE_SHORT, at + ErrorLogEntryLayout.STATUS_FIELD) & 0xFFFF),
                        b.get(LE_SHORT, at + ErrorLogEntryLayout.PARAMETER_ERROR_LOCATION) & 0xFFFF,
                        b.get(LE_LONG, at + ErrorLogEntryLayout.LBA), b.get(LE_INT, at + ErrorLogEntryLayout.NAMESPACE)));
            }
        }
        return entries;
    }
}
