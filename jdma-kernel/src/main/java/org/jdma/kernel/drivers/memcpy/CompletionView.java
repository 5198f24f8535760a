package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.jdma.spec.memcpy.CompletionStatus;

/**
 * The completions one {@link CopyRing} drain reaped, read without allocating: the ring copies each
 * completion record's fields here as it reaps the slot, then shows the handler one completion at
 * a time through this view ({@link CopyRing#drain(Handler, int)}). The view is valid only during
 * the handler's call; {@link #toCompleted()} copies the current completion out.
 */
public final class CompletionView {

    /** Receives drained completions, oldest first. */
    @FunctionalInterface
    public interface Handler {
        /** Completion {@code c}; read what is needed before returning, the view moves on. */
        void completed(CompletionView c);
    }

    private final Descriptor[] descriptor;
    private final int[] statusByte;
    private final long[] bytesCompleted;
    private final int[] result;
    private final long[] faultAddress;
    private final int[] slot;
    private final long[] sequence;
    private final ChainProgress[] chain;
    private int count;
    private int at;

    CompletionView(int capacity) {
        descriptor = new Descriptor[capacity];
        statusByte = new int[capacity];
        bytesCompleted = new long[capacity];
        result = new int[capacity];
        faultAddress = new long[capacity];
        slot = new int[capacity];
        sequence = new long[capacity];
        chain = new ChainProgress[capacity];
    }

    /** How many completions one drain may hold. */
    int capacity() {
        return slot.length;
    }

    /** Forgets the previous drain's completions. */
    void clear() {
        Arrays.fill(descriptor, 0, count, null);
        Arrays.fill(chain, 0, count, null);
        count = 0;
        at = 0;
    }

    /** Appends the completion of {@code d} from the record copied into {@code record} (offset 0). */
    void add(Descriptor d, MemorySegment record, int ringSlot, long seq) {
        int i = count++;
        descriptor[i] = d;
        statusByte[i] = DescriptorCodec.statusByte(record, 0);
        bytesCompleted[i] = DescriptorCodec.bytesCompleted(record, 0);
        result[i] = DescriptorCodec.result(record, 0);
        faultAddress[i] = DescriptorCodec.faultAddress(record, 0);
        slot[i] = ringSlot;
        sequence[i] = seq;
        chain[i] = DescriptorCodec.chainProgress(record, 0);
    }

    int count() {
        return count;
    }

    /** Makes completion {@code i} of this drain the current one. */
    void moveTo(int i) {
        at = i;
    }

    /** The descriptor as submitted (without the DONE and ERROR flags {@link CompletedDescriptor} adds). */
    public Descriptor submitted() {
        return descriptor[at];
    }

    /** The completion status; null only if the device wrote a code the datasheet does not define. */
    public CompletionStatus status() {
        return CompletionStatus.fromStatusByte(statusByte[at]);
    }

    /** The raw status byte (bit 7: the fault was on a write). */
    public int statusByte() {
        return statusByte[at];
    }

    public boolean isSuccess() {
        CompletionStatus s = status();
        return s != null && !s.isError();
    }

    public boolean isError() {
        return !isSuccess();
    }

    /** Bytes processed; for a COMPARE that differs, the offset of the first difference. */
    public long bytesCompleted() {
        return bytesCompleted[at];
    }

    /** COMPARE: 0 equal, 1 different; 0 for other opcodes. */
    public int result() {
        return result[at];
    }

    /** The address that faulted, for page-fault statuses; 0 otherwise. */
    public long faultAddress() {
        return faultAddress[at];
    }

    /** The ring slot the descriptor occupied. */
    public int slot() {
        return slot[at];
    }

    /** The descriptor's submission number on its engine. */
    public long sequence() {
        return sequence[at];
    }

    /** For a CHAIN that failed: the failed link and how far it got; {@link ChainProgress#NONE} otherwise. */
    public ChainProgress chain() {
        return chain[at];
    }

    /** The current completion as a {@link CompletedDescriptor} the caller may keep. */
    public CompletedDescriptor toCompleted() {
        Descriptor d = descriptor[at];
        Descriptor done = d.withFlags(d.flags() | Descriptor.DONE | (isError() ? Descriptor.ERROR : 0));
        return new CompletedDescriptor(done, status(), statusByte[at], bytesCompleted[at], result[at], faultAddress[at],
                slot[at], sequence[at], chain[at]);
    }

    @Override
    public String toString() {
        return count == 0 ? "no completion" : "slot " + slot() + ", sequence " + sequence() + ": " + submitted().opcode()
                + " status " + (status() == null ? String.format("%#04x", statusByte()) : status());
    }
}
