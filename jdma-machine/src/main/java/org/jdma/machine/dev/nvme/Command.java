package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * One fetched submission entry: its 64 bytes (copied out of host memory once), the queue it came
 * from, and whether it is done (completed or aborted: a late media event then does nothing).
 */
final class Command {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final SubmissionQueue sq;
    final MemorySegment sqe;
    final long fetchedAt;
    boolean done;

    Command(SubmissionQueue sq, MemorySegment sqe, long fetchedAt) {
        this.sq = sq;
        this.sqe = sqe;
        this.fetchedAt = fetchedAt;
    }

    int opcode() { return sqe.get(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.OPCODE) & 0xFF; }

    int flags() { return sqe.get(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.FLAGS) & 0xFF; }

    int cid() { return sqe.get(LE_SHORT, SubmissionEntryLayout.CID) & 0xFFFF; }

    int nsid() { return sqe.get(LE_INT, SubmissionEntryLayout.NSID); }

    long prp1() { return sqe.get(LE_LONG, SubmissionEntryLayout.PRP1); }

    long prp2() { return sqe.get(LE_LONG, SubmissionEntryLayout.PRP2); }

    /** Command dword {@code n} (10..15). */
    int cdw(int n) { return sqe.get(LE_INT, SubmissionEntryLayout.cdw(n)); }

    /** CDW10 and CDW11 as one 64-bit value (SLBA). */
    long cdw10and11() { return sqe.get(LE_LONG, SubmissionEntryLayout.CDW10); }

    boolean admin() { return sq.id == 0; }

    /** The key naming this command among its queue's outstanding ones. */
    long key() { return key(sq.id, cid()); }

    static long key(int sqid, int cid) { return (long) sqid << 16 | cid; }
}
