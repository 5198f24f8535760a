package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * One fetched submission entry: its 64 bytes (copied out of host memory once, read in place
 * through little-endian array views: no segment per command), the queue it came from, and whether
 * it is done (completed or aborted: a late media event then does nothing).
 */
final class Command {

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    final SubmissionQueue sq;
    /** The entry's {@link SubmissionEntryLayout#SIZE} bytes. */
    private final byte[] sqe;
    final long fetchedAt;
    boolean done;

    Command(SubmissionQueue sq, byte[] sqe, long fetchedAt) {
        this.sq = sq;
        this.sqe = sqe;
        this.fetchedAt = fetchedAt;
    }

    /** The entry as a segment (an SGL walk reads DPTR from it). */
    MemorySegment entry() { return MemorySegment.ofArray(sqe); }

    int opcode() { return sqe[SubmissionEntryLayout.OPCODE] & 0xFF; }

    int flags() { return sqe[SubmissionEntryLayout.FLAGS] & 0xFF; }

    int cid() { return (short) LE_SHORT.get(sqe, SubmissionEntryLayout.CID) & 0xFFFF; }

    int nsid() { return (int) LE_INT.get(sqe, SubmissionEntryLayout.NSID); }

    long prp1() { return (long) LE_LONG.get(sqe, SubmissionEntryLayout.PRP1); }

    long prp2() { return (long) LE_LONG.get(sqe, SubmissionEntryLayout.PRP2); }

    /** Command dword {@code n} (10..15). */
    int cdw(int n) { return (int) LE_INT.get(sqe, SubmissionEntryLayout.cdw(n)); }

    /** CDW10 and CDW11 as one 64-bit value (SLBA). */
    long cdw10and11() { return (long) LE_LONG.get(sqe, SubmissionEntryLayout.CDW10); }

    boolean admin() { return sq.id == 0; }

    /** The key naming this command among its queue's outstanding ones. */
    long key() { return key(sq.id, cid()); }

    static long key(int sqid, int cid) { return (long) sqid << 16 | cid; }

    /** The SQ id in {@code key}. */
    static int sqid(long key) { return (int) (key >>> 16); }
}
