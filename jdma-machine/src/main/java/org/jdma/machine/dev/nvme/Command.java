package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/**
 * One fetched submission entry: its 64 bytes (copied out of host memory once, read in place
 * through little-endian array views), the queue it came from, and whether it is done (completed
 * or aborted: a late media event then does nothing). An I/O command also carries what the NVM
 * command set needs while the media works: the data's runs, the namespace and blocks, the data
 * staged from the host, and its one media event.
 *
 * <p>The controller reuses I/O commands (see {@link CommandEngine}): a command, with its entry
 * bytes, transfer and event, serves one fetched entry after another once nothing refers to it.
 */
final class Command {

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    SubmissionQueue sq;
    /** The entry's {@link SubmissionEntryLayout#SIZE} bytes, and the same bytes as a segment (a fetch reads into it). */
    private final byte[] sqe;
    private final MemorySegment entry;
    long fetchedAt;
    boolean done;

    /** Where the data lives in host memory (I/O commands; walked at fetch). */
    final Transfer transfer = new Transfer();
    /** The namespace, first block and block count an I/O command's media event works on. */
    Namespace ns;
    long slba;
    long blocks;
    /** Bytes read from the host before the media event (a Write's data, a DSM range list), else null. */
    MemorySegment staged;
    /** The media event scheduled for this command and the controller generation it was scheduled in. */
    Runnable mediaEvent;
    long mediaGeneration;
    boolean mediaPending;

    /** An empty command; {@link #fetched} gives it its queue, and a fetch reads its bytes into {@link #entry()}. */
    Command() {
        this.sqe = new byte[SubmissionEntryLayout.SIZE];
        this.entry = MemorySegment.ofArray(sqe);
    }

    /** Starts the command's use for an entry of {@code queue} fetched at {@code now}. */
    void fetched(SubmissionQueue queue, long now) {
        sq = queue;
        fetchedAt = now;
        done = false;
    }

    /** Drops what the last use referred to (the command goes back to the free ones). */
    void recycle() {
        sq = null;
        ns = null;
        staged = null;
        transfer.clear();
    }

    /** The entry as a segment over its bytes (an SGL walk reads DPTR from it). */
    MemorySegment entry() { return entry; }

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
