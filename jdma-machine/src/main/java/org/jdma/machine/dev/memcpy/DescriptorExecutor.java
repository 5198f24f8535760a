package org.jdma.machine.dev.memcpy;

import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_BOF;
import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_CRAV;
import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_RCI;
import static org.jdma.spec.memcpy.CopyDescriptorLayout.FLAG_RCR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * What the copy engine does with one fetched descriptor: decode and validate it, move the data
 * through the DMA port, run a BATCH's members or a CHAIN's links ({@link ChainWalker}), and write
 * the completion records (body, then the status byte with release).
 *
 * <p>Validation order (first failure wins, no data moves on failure): non-zero PASID/Priv word,
 * reserved bytes 0x26-0x27 or operation-specific bytes 0x28-0x3F (0x28-0x37 in a chain link,
 * whose last 8 name the next link) → NOZERO_RESERVE; unknown opcode (and BATCH, CHAIN or DRAIN
 * inside a batch or chain) → BAD_OPCODE; flags outside {@link CopyDescriptorLayout#SUPPORTED_FLAGS}
 * ({@link CopyDescriptorLayout#LINK_FLAGS} in a chain link) → INVALID_FLAGS (the record's
 * invalid-flags field names them); CRAV with a record address not 32-byte aligned → CRA_ALIGN;
 * transfer size 0 or above the maximum → XFER_ERANGE; data address not aligned to
 * 2^alignmentShift → ADDR_ALIGN; RCI with an interrupt handle at or beyond the MSI-X table size →
 * INT_HANDLE_INVAL. A DMA fault during the operation completes with PAGE_FAULT_NOBOF (bit 7 set
 * when the fault was on a write), the fault address and the bytes done before it; a ring
 * descriptor with BOF set instead stops {@linkplain Work#blocked blocked} there, and the engine
 * {@linkplain #resume resumes} or {@linkplain #failBlocked fails} it when software answers the
 * page request.
 *
 * <p>The record is written when the descriptor sets CRAV and either RCR or the status is an error
 * (DSA: a failed descriptor always reports to a valid record address), and never to a misaligned
 * address: that (whatever the status) and a record write that faults set ERROR.COMPLETION_FAULT
 * with ERROR_ADDRESS = the record's address, and the engine goes on. DRAIN completes as soon as
 * it runs: the engine runs one descriptor at a time, in ring order, so everything before it has
 * completed and written its record.
 *
 * <p><b>Batches.</b> A BATCH descriptor ({@link CopyDescriptorLayout#DESC_LIST_ADDR}) names a
 * list of descriptors in memory. The engine validates the batch (count, list alignment, and the checks every descriptor
 * gets), reads the whole list through its DMA port in one transfer (so behind an IOMMU the list is
 * translated like data), then executes the members in list order, each with the validation above;
 * a member that is itself a BATCH completes with BAD_OPCODE. A list read that faults completes the
 * batch with BATCH_PAGE_FAULT and the fault address, and no member runs. At completion the members'
 * records are written (and their interrupts sent, when they ask) in order, then the batch's own
 * record: SUCCESS when every member succeeded, else BATCH_FAIL; bytes completed = members
 * completed. Then the batch's interrupt. The batch occupies one ring slot and counts once in
 * COMPLETED. Not modelled: FENCE inside a batch after a failed member (DSA abandons the rest of the
 * batch; here every member runs), and the batch's virtual time is the sum of its members'.
 *
 * <p>One descriptor at a time: the scratch buffers and {@link Work} objects are reused, by the
 * event chain or by the device thread, never both at once. Statistics are written by that one
 * thread and read after it is joined.
 */
final class DescriptorExecutor {

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final CompletionStatus[] STATUSES = CompletionStatus.values();

    /** Where a descriptor sits, which decides the opcodes and flags it may use. */
    enum Place { RING, BATCH_MEMBER, CHAIN_LINK }

    /** What one descriptor asked for and how it ended; reused, one descriptor at a time. */
    static final class Work {
        int slot;
        int opcodeCode;
        Opcode op;
        int flags;
        long src;
        long dst;
        long size;
        long completionAddr;
        int intHandle;
        /** CRAV: the record address is valid (a failure is always reported there). */
        boolean crav;
        /** RCR: a record is wanted on success too. */
        boolean rcr;
        boolean wantInterrupt;
        /** Stopped on a page fault with BOF set; {@link #bytesCompleted} and {@link #faultAddr} say where. */
        boolean blocked;
        boolean faultWrite;
        int statusByte;
        int result;
        long bytesCompleted;
        long faultAddr;
        int invalidFlags;
        long costNs;
        /** BATCH: members executed (their Work is in {@code members}); 0 for any other descriptor. */
        int batchCount;
        /** CHAIN: bytes the failed link completed, and its address (0 when none failed). */
        long linkBytes;
        long linkAddr;

        boolean isError() {
            CompletionStatus s = CompletionStatus.fromStatusByte(statusByte);
            return s == null || s.isError();
        }
    }

    private final CopyEngineConfig config;
    private final DmaPort port;
    /** A completion record could not be written where the descriptor asked (ERROR.COMPLETION_FAULT). */
    private final LongConsumer completionFault;
    /** A batch member asked for its completion interrupt: its MSI-X entry. */
    private final IntConsumer memberInterrupt;

    // Scratch, used by one descriptor at a time.
    private final MemorySegment record = MemorySegment.ofArray(new byte[CompletionRecordLayout.SIZE]);
    /** BATCH: the descriptor list as read, and one Work per member. */
    private final MemorySegment batchList =
            MemorySegment.ofArray(new byte[CopyDescriptorLayout.MAX_BATCH_SIZE * CopyDescriptorLayout.SIZE]);
    private final Work[] members = new Work[CopyDescriptorLayout.MAX_BATCH_SIZE];
    private final ChainWalker chains;

    // Statistics since the machine was built (RESET does not clear them).
    private final long[] statusCounts = new long[STATUSES.length];
    private long descriptorsCompleted;
    private long batchMembersCompleted;
    private long bytesMoved;

    DescriptorExecutor(CopyEngineConfig config, DmaPort port, LongConsumer completionFault, IntConsumer memberInterrupt) {
        this.config = config;
        this.port = port;
        this.completionFault = completionFault;
        this.memberInterrupt = memberInterrupt;
        for (int i = 0; i < members.length; i++) {
            members[i] = new Work();
        }
        this.chains = new ChainWalker(config, port, this);
    }

    long descriptorsCompleted() { return descriptorsCompleted; }
    long batchMembersCompleted() { return batchMembersCompleted; }
    long bytesMoved() { return bytesMoved; }
    long chainLinksCompleted() { return chains.linksCompleted(); }

    /** How many descriptors (batch members included) completed with each error status. */
    EnumMap<CompletionStatus, Long> errorsByStatus() {
        EnumMap<CompletionStatus, Long> m = new EnumMap<>(CompletionStatus.class);
        for (CompletionStatus s : STATUSES) {
            if (s.isError() && statusCounts[s.ordinal()] != 0) {
                m.put(s, statusCounts[s.ordinal()]);
            }
        }
        return m;
    }

    /**
     * Decodes and validates the descriptor at {@code base} of {@code d} into {@code w}, and runs it
     * when valid. {@code place}: a ring descriptor, a batch member or a chain link.
     */
    void execute(MemorySegment d, long base, Work w, Place place) {
        int flagsOpcode = d.get(LE_INT, base + CopyDescriptorLayout.FLAGS_OPCODE);
        int flags = flagsOpcode & CopyDescriptorLayout.FLAGS_MASK;
        w.flags = flags;
        w.src = d.get(LE_LONG, base + CopyDescriptorLayout.SRC_ADDR);
        w.dst = d.get(LE_LONG, base + CopyDescriptorLayout.DST_ADDR);
        w.size = d.get(LE_INT, base + CopyDescriptorLayout.XFER_SIZE) & 0xFFFF_FFFFL;
        w.opcodeCode = flagsOpcode >>> CopyDescriptorLayout.OPCODE_SHIFT;
        w.completionAddr = d.get(LE_LONG, base + CopyDescriptorLayout.COMPLETION_ADDR);
        w.intHandle = d.get(LE_SHORT, base + CopyDescriptorLayout.INT_HANDLE) & 0xFFFF;
        w.crav = (flags & FLAG_CRAV) != 0;
        w.rcr = (flags & FLAG_RCR) != 0;
        w.wantInterrupt = (flags & FLAG_RCI) != 0 && w.intHandle < config.msixEntries();
        w.blocked = false;
        w.faultWrite = false;
        w.result = 0;
        w.bytesCompleted = 0;
        w.faultAddr = 0;
        w.invalidFlags = 0;
        w.costNs = 0;
        w.batchCount = 0;
        w.linkBytes = 0;
        w.linkAddr = 0;

        Opcode op = Opcode.fromCode(w.opcodeCode);
        if (place != Place.RING && (op == Opcode.BATCH || op == Opcode.CHAIN || op == Opcode.DRAIN)) {
            op = null; // DSA: a batch may not contain a batch or a drain; neither may a chain
        }
        w.op = op;
        CompletionStatus bad = validate(d, base, w, op, place);
        if (bad != null) {
            w.statusByte = bad.code();
            return;
        }
        switch (op) {
            case NOOP, DRAIN -> w.statusByte = CompletionStatus.SUCCESS.code();
            case BATCH -> executeBatch(w, w.src, (int) w.size);
            case CHAIN -> chains.run(w, w.src);
            case MEMMOVE, MEMFILL, COMPARE -> runData(w, 0, place == Place.RING && (flags & FLAG_BOF) != 0);
        }
    }

    /**
     * Runs {@code w}'s data operation from byte {@code from} to its end. A fault ends it with
     * PAGE_FAULT_NOBOF, or, when {@code mayBlock}, leaves it {@link Work#blocked} at the fault.
     */
    private void runData(Work w, long from, boolean mayBlock) {
        long len = w.size - from;
        switch (w.op) {
            case MEMMOVE -> {
                DmaResult r = port.copy(w.src + from, w.dst + from, len);
                bytesMoved += r.bytes();
                dataDone(w, r, from, mayBlock);
            }
            case MEMFILL -> {
                // The pattern is laid from the descriptor's first byte: rotate it to where this run starts.
                DmaResult r = port.fill(w.dst + from, len, Long.rotateRight(w.src, (int) (from % Long.BYTES) * Byte.SIZE));
                bytesMoved += r.bytes();
                dataDone(w, r, from, mayBlock);
            }
            case COMPARE -> {
                DmaPort.CompareResult c = port.compare(w.src + from, w.dst + from, len);
                dataDone(w, c.result(), from, mayBlock);
                if (c.result().isOk() && c.mismatchOffset() >= 0) {
                    w.result = 1;
                    w.bytesCompleted = from + c.mismatchOffset();
                }
            }
            default -> throw new IllegalStateException("no data operation: " + w.op);
        }
    }

    /** Retries a {@link Work#blocked} descriptor from the byte that faulted (the page request was answered SUCCESS). */
    void resume(Work w) {
        w.blocked = false;
        runData(w, w.bytesCompleted, true);
    }

    /** Ends a {@link Work#blocked} descriptor with PAGE_FAULT_IR: its page request got no valid response. */
    void failBlocked(Work w) {
        w.blocked = false;
        w.statusByte = CompletionStatus.PAGE_FAULT_IR.code() | (w.faultWrite ? CompletionStatus.WRITE_FAULT_BIT : 0);
    }

    /** The first check the descriptor fails, in the documented order; null when it is valid. */
    private CompletionStatus validate(MemorySegment d, long base, Work w, Opcode op, Place place) {
        int flags = w.flags;
        long src = w.src;
        long dst = w.dst;
        long size = w.size;
        boolean moves = op == Opcode.MEMMOVE || op == Opcode.MEMFILL || op == Opcode.COMPARE;
        long alignMask = (1L << config.alignmentShift()) - 1;
        long alignedBits = switch (op) {
            case MEMMOVE, COMPARE -> src | dst;
            case MEMFILL -> dst;
            case NOOP, BATCH, CHAIN, DRAIN -> 0;
            case null -> 0;
        };
        int allowed = place == Place.CHAIN_LINK ? CopyDescriptorLayout.LINK_FLAGS : CopyDescriptorLayout.SUPPORTED_FLAGS;
        int opSpecificEnd = place == Place.CHAIN_LINK ? CopyDescriptorLayout.NEXT_LINK : CopyDescriptorLayout.SIZE;
        if (d.get(LE_INT, base + CopyDescriptorLayout.PASID_PRIV) != 0 || d.get(LE_SHORT, base + CopyDescriptorLayout.RSVD1) != 0
                || !opSpecificZero(d, base, opSpecificEnd)) {
            return CompletionStatus.NOZERO_RESERVE;
        } else if (op == null) {
            return CompletionStatus.BAD_OPCODE;
        } else if ((flags & ~allowed) != 0) {
            w.invalidFlags = flags & ~allowed;
            return CompletionStatus.INVALID_FLAGS;
        } else if (w.crav && recordMisaligned(w.completionAddr)) {
            return CompletionStatus.CRA_ALIGN;
        } else if (moves && (size == 0 || size > config.maxTransferSize())) {
            return CompletionStatus.XFER_ERANGE;
        } else if (op == Opcode.BATCH && (size < CopyDescriptorLayout.MIN_BATCH_SIZE || size > CopyDescriptorLayout.MAX_BATCH_SIZE)) {
            return CompletionStatus.DESC_CNT_ERANGE;
        } else if (op == Opcode.BATCH && (src & (CopyDescriptorLayout.DESC_LIST_ALIGN - 1)) != 0) {
            return CompletionStatus.DESCLIST_ALIGN;
        } else if ((alignedBits & alignMask) != 0) {
            return CompletionStatus.ADDR_ALIGN;
        } else if ((flags & FLAG_RCI) != 0 && w.intHandle >= config.msixEntries()) {
            return CompletionStatus.INT_HANDLE_INVAL;
        }
        return null;
    }

    static boolean recordMisaligned(long address) {
        return (address & (CopyDescriptorLayout.COMPLETION_ALIGN - 1)) != 0;
    }

    private static boolean opSpecificZero(MemorySegment d, long base, int end) {
        for (int off = CopyDescriptorLayout.OP_SPECIFIC; off < end; off += Long.BYTES) {
            if (d.get(LE_LONG, base + off) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs a validated BATCH: reads its {@code count} descriptors at {@code list} in one DMA read,
     * then executes them in order into {@code members}. Their records are written by {@link #completeMembers}.
     */
    private void executeBatch(Work w, long list, int count) {
        DmaResult r = port.read(list, batchList, 0, (long) count * CopyDescriptorLayout.SIZE);
        w.costNs = r.costNs();
        if (!r.isOk()) {
            // Nothing of an unreadable list runs: a partly read list could hold a torn descriptor.
            w.statusByte = CompletionStatus.BATCH_PAGE_FAULT.code();
            w.faultAddr = r.faultAddress();
            return;
        }
        boolean failed = false;
        for (int i = 0; i < count; i++) {
            Work m = members[i];
            m.slot = w.slot;
            execute(batchList, (long) i * CopyDescriptorLayout.SIZE, m, Place.BATCH_MEMBER);
            w.costNs += config.setupLatencyNs() + m.costNs;
            failed |= m.isError();
        }
        w.batchCount = count;
        w.bytesCompleted = count;
        w.statusByte = (failed ? CompletionStatus.BATCH_FAIL : CompletionStatus.SUCCESS).code();
    }

    private static void dataDone(Work w, DmaResult r, long from, boolean mayBlock) {
        w.costNs += r.costNs();
        if (r.isOk()) {
            w.statusByte = CompletionStatus.SUCCESS.code();
            w.bytesCompleted = w.size;
            return;
        }
        w.faultWrite = r.access() == Access.WRITE;
        w.bytesCompleted = from + r.bytes();
        w.faultAddr = r.faultAddress();
        if (mayBlock) {
            w.blocked = true;
            w.statusByte = CompletionStatus.NONE.code();
        } else {
            w.statusByte = CompletionStatus.PAGE_FAULT_NOBOF.code() | (w.faultWrite ? CompletionStatus.WRITE_FAULT_BIT : 0);
        }
    }

    /**
     * First half of completing {@code w}: the records of a batch's members, in order, each
     * followed by its interrupt when it asked for one. The engine then counts {@code w} in
     * COMPLETED and calls {@link #completeOwn}.
     */
    void completeMembers(Work w) {
        for (int i = 0; i < w.batchCount; i++) {
            Work m = members[i];
            batchMembersCompleted++;
            count(m);
            writeRecord(m);
            if (m.wantInterrupt) {
                memberInterrupt.accept(m.intHandle);
            }
        }
    }

    /** Second half: counts {@code w} and writes its own record. */
    void completeOwn(Work w) {
        descriptorsCompleted++;
        count(w);
        writeRecord(w);
    }

    /** Counts {@code w}'s status (batch members, ring descriptors and chain links alike). */
    void count(Work w) {
        statusCounts[CompletionStatus.fromStatusByte(w.statusByte).ordinal()]++;
    }

    /** Writes {@code w}'s completion record, status byte last, when it asked for one or failed with CRAV set. */
    private void writeRecord(Work w) {
        if (!w.crav || !(w.rcr || w.isError())) {
            return;
        }
        if (recordMisaligned(w.completionAddr)) {
            completionFault.accept(w.completionAddr);
            return;
        }
        MemorySegment rec = record;
        rec.fill((byte) 0);
        rec.set(ValueLayout.JAVA_BYTE, CompletionRecordLayout.RESULT, (byte) w.result);
        rec.set(LE_INT, CompletionRecordLayout.BYTES_COMPLETED, (int) w.bytesCompleted);
        rec.set(LE_LONG, CompletionRecordLayout.FAULT_ADDR, w.faultAddr);
        rec.set(LE_INT, CompletionRecordLayout.INVALID_FLAGS, w.invalidFlags & CopyDescriptorLayout.FLAGS_MASK);
        rec.set(LE_INT, CompletionRecordLayout.CHAIN_LINK_BYTES, (int) w.linkBytes);
        rec.set(LE_LONG, CompletionRecordLayout.CHAIN_LINK_ADDR, w.linkAddr);
        // ERROR_ADDRESS names the record (not the byte of it that faulted) so the driver can match it to a descriptor.
        DmaResult body = port.write(w.completionAddr + 1, rec, 1, CompletionRecordLayout.SIZE - 1);
        if (!body.isOk()) {
            // Publishing the status byte over a torn record would lie to the driver: leave it unwritten.
            completionFault.accept(w.completionAddr);
            return;
        }
        DmaResult st = port.writeByteRelease(w.completionAddr + CompletionRecordLayout.STATUS, (byte) w.statusByte);
        if (!st.isOk()) {
            completionFault.accept(w.completionAddr);
        }
    }

    static String opName(int code) {
        Opcode op = Opcode.fromCode(code);
        return op != null ? op.name() : String.format("opcode 0x%02x", code);
    }

    static String statusName(int statusByte) {
        CompletionStatus s = CompletionStatus.fromStatusByte(statusByte);
        String name = s != null ? s.name() : String.format("0x%02x", statusByte);
        return (statusByte & CompletionStatus.WRITE_FAULT_BIT) != 0 ? name + "|WRITE" : name;
    }
}
