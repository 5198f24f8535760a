package org.jdma.machine.dev.nvme;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.spec.nvme.SglDescriptorLayout;
import org.jdma.spec.nvme.SubmissionEntryLayout;

/** A 64-byte submission entry under construction, little-endian at the datasheet's offsets. */
final class Sqe {

    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final byte[] bytes = new byte[SubmissionEntryLayout.SIZE];
    private final MemorySegment s = MemorySegment.ofArray(bytes);
    int cid;
    boolean cidSet;

    Sqe(int opcode) {
        s.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.OPCODE, (byte) opcode);
    }

    Sqe cid(int c) {
        cid = c;
        cidSet = true;
        s.set(LE_SHORT, SubmissionEntryLayout.CID, (short) c);
        return this;
    }

    Sqe nsid(int n) {
        s.set(LE_INT, SubmissionEntryLayout.NSID, n);
        return this;
    }

    Sqe psdt(int p) {
        s.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.FLAGS, (byte) SubmissionEntryLayout.flags(p));
        return this;
    }

    Sqe prp1(long a) {
        s.set(LE_LONG, SubmissionEntryLayout.PRP1, a);
        return this;
    }

    Sqe prp2(long a) {
        s.set(LE_LONG, SubmissionEntryLayout.PRP2, a);
        return this;
    }

    /** DPTR as one SGL descriptor (PSDT 01). */
    Sqe sgl(long address, int length, int type) {
        psdt(SubmissionEntryLayout.PSDT_SGL_MPTR_CONTIGUOUS);
        s.set(LE_LONG, SubmissionEntryLayout.DPTR + SglDescriptorLayout.ADDRESS, address);
        s.set(LE_INT, SubmissionEntryLayout.DPTR + SglDescriptorLayout.LENGTH, length);
        s.set(ValueLayout.JAVA_BYTE, SubmissionEntryLayout.DPTR + SglDescriptorLayout.IDENTIFIER,
                (byte) SglDescriptorLayout.identifier(type));
        return this;
    }

    Sqe cdw(int n, int value) {
        s.set(LE_INT, SubmissionEntryLayout.cdw(n), value);
        return this;
    }

    Sqe cdw64(int n, long value) {
        s.set(LE_LONG, SubmissionEntryLayout.cdw(n), value);
        return this;
    }
}
