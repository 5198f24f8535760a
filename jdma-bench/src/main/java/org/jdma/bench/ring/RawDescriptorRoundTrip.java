package org.jdma.bench.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * The copy engine's ring format with nothing modeled: {@link #CAPACITY} 64-byte descriptors and
 * 32-byte completion records in one native segment (the copy-engine driver's layout), the producer
 * index published with one release store per batch, a consumer thread that reads each whole
 * descriptor, validates it and writes its record with the status byte stored last (release), and
 * a producer that polls each status byte (acquire), reads the record and clears it.
 *
 * <p>Not a peer and not jdma: the floor of the format itself in Java. What a descriptor ring of
 * this format costs per element beyond a queue of references (two cache lines cross between the
 * cores per descriptor, one each way, where a queue moves 8 bytes) is this benchmark's
 * difference to the peers; what jdma's ring and device cost beyond the format is its difference
 * to {@code jdmaRing}.
 */
public final class RawDescriptorRoundTrip implements RoundTrip {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BYTE_ATOMIC = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle LONG_ATOMIC = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private static final int DESCRIPTOR = CopyDescriptorLayout.SIZE;
    private static final int RECORD = CompletionRecordLayout.SIZE;
    private static final long RECORDS = (long) CAPACITY * DESCRIPTOR;
    /** The producer index, on a cache line of its own (128 bytes from the records: no adjacent-line prefetch either). */
    private static final long DOORBELL = RECORDS + (long) CAPACITY * RECORD + 128;
    /** NOOP, request a completion record, its address valid. */
    private static final int FLAGS_OPCODE = Opcode.NOOP.code() << CopyDescriptorLayout.OPCODE_SHIFT
            | CopyDescriptorLayout.FLAG_RCR | CopyDescriptorLayout.FLAG_CRAV;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring = arena.allocate(DOORBELL + 128, 4096);
    private final ConsumerThread consumer;
    /** Producer side: descriptors submitted so far. */
    private long tail;
    /** Consumer side: descriptors carried out so far, in element {@link #HEAD}, 128 bytes from anything else. */
    private final long[] consumed = new long[2 * HEAD];
    private static final int HEAD = 16;

    public RawDescriptorRoundTrip() {
        consumer = new ConsumerThread("raw-descriptor-consumer", this::consume);
        consumer.start();
    }

    private static long record(long n) {
        return RECORDS + (n & (CAPACITY - 1)) * RECORD;
    }

    @Override
    public int roundTrip(int batch) {
        for (int k = 0; k < batch; k++) {
            long d = ((tail + k) & (CAPACITY - 1)) * DESCRIPTOR;
            ring.set(LONG, d + CopyDescriptorLayout.PASID_PRIV, (long) FLAGS_OPCODE << 32);
            ring.set(LONG, d + CopyDescriptorLayout.COMPLETION_ADDR, record(tail + k));
            for (long o = CopyDescriptorLayout.SRC_ADDR; o < DESCRIPTOR; o += Long.BYTES) {
                ring.set(LONG, d + o, 0L); // source, destination, size, handle, operation-specific
            }
        }
        tail += batch;
        LONG_ATOMIC.setRelease(ring, DOORBELL, tail);
        int statusSum = 0;
        for (long n = tail - batch; n < tail; n++) {
            long r = record(n);
            int status;
            while ((status = (byte) BYTE_ATOMIC.getAcquire(ring, r + CompletionRecordLayout.STATUS)) == 0) {
                Thread.onSpinWait();
            }
            int bytes = ring.get(INT, r + CompletionRecordLayout.BYTES_COMPLETED);
            long faultAddress = ring.get(LONG, r + CompletionRecordLayout.FAULT_ADDR);
            statusSum += (bytes | faultAddress) == 0 ? status : RoundTrip.STATUS_INVALID;
            ring.set(LONG, r, 0L); // status back to 0 for the slot's next use
        }
        return statusSum;
    }

    /** Consumer side: every descriptor published so far, or false when there was none. */
    private boolean consume() {
        long published = (long) LONG_ATOMIC.getAcquire(ring, DOORBELL);
        long head = consumed[HEAD];
        if (head == published) {
            return false;
        }
        for (; head != published; head++) {
            long d = (head & (CAPACITY - 1)) * DESCRIPTOR;
            long first = ring.get(LONG, d + CopyDescriptorLayout.PASID_PRIV);
            long completion = ring.get(LONG, d + CopyDescriptorLayout.COMPLETION_ADDR);
            long operands = 0;
            for (long o = CopyDescriptorLayout.SRC_ADDR; o < DESCRIPTOR; o += Long.BYTES) {
                operands |= ring.get(LONG, d + o);
            }
            int flagsOpcode = (int) (first >>> 32);
            boolean valid = (int) first == 0 && flagsOpcode == FLAGS_OPCODE && operands == 0
                    && completion >= RECORDS && completion < DOORBELL && (completion - RECORDS) % RECORD == 0;
            long r = valid ? completion : record(head);
            ring.set(INT, r + CompletionRecordLayout.BYTES_COMPLETED, 0);
            ring.set(LONG, r + CompletionRecordLayout.FAULT_ADDR, 0L);
            ring.set(LONG, r + CompletionRecordLayout.OP_SPECIFIC, 0L);
            ring.set(LONG, r + CompletionRecordLayout.OP_SPECIFIC + Long.BYTES, 0L);
            BYTE_ATOMIC.setRelease(ring, r + CompletionRecordLayout.STATUS,
                    valid ? RoundTrip.STATUS_SUCCESS : RoundTrip.STATUS_INVALID);
        }
        consumed[HEAD] = head;
        return true;
    }

    @Override
    public void close() {
        consumer.stopAndJoin();
        arena.close();
    }
}
