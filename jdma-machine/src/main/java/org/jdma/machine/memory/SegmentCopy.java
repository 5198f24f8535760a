package org.jdma.machine.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long, long)} for the machine's
 * hot paths, where most copies are small (descriptors, completion records, queue entries: 8 to
 * 64 bytes) between a device's or driver's {@code byte[]}-backed scratch and guest RAM.
 *
 * <p>Why: the generic segment copy is shared by every copy site of the process, so the JIT sees
 * heap and native segments of several kinds at it and keeps its bounds and liveness checks as
 * virtual calls: about 25 ns for a 31-byte copy on the development box, against 4–8 ns through
 * the array overloads ({@link MemorySegment#copy(Object, int, MemorySegment, ValueLayout, long, int)}
 * and its reverse), whose source or destination type is fixed. A copy of at most
 * {@link #SMALL} bytes between a {@code byte[]}-backed segment and a native one therefore goes
 * through the array overload; anything else goes to the generic copy. Same result and the same
 * exceptions as the generic copy: bounds are checked against the segments (not the array behind
 * a slice), and a read-only destination is refused.
 */
public final class SegmentCopy {

    /** Copies up to this many bytes take the array path. */
    public static final long SMALL = 64;

    private SegmentCopy() {
    }

    /** As {@code MemorySegment.copy(src, srcOffset, dst, dstOffset, length)}. */
    public static void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length) {
        if (length <= SMALL && length >= 0) {
            if (dst.isNative() && !src.isNative() && src.heapBase().orElse(null) instanceof byte[] array) {
                Objects.checkFromIndexSize(srcOffset, length, src.byteSize());
                MemorySegment.copy(array, Math.toIntExact(src.address() + srcOffset), dst, ValueLayout.JAVA_BYTE, dstOffset,
                        (int) length);
                return;
            }
            if (src.isNative() && !dst.isNative() && !dst.isReadOnly() && dst.heapBase().orElse(null) instanceof byte[] array) {
                Objects.checkFromIndexSize(dstOffset, length, dst.byteSize());
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcOffset, array, Math.toIntExact(dst.address() + dstOffset),
                        (int) length);
                return;
            }
        }
        MemorySegment.copy(src, srcOffset, dst, dstOffset, length);
    }
}
