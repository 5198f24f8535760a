package org.jdma.kernel.drivers.memcpy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * Encodes a {@link Descriptor} into the copy engine's 64-byte descriptor and decodes the 32-byte
 * completion record, both little-endian as {@link CopyDescriptorLayout} and
 * {@link CompletionRecordLayout} lay them out. Works on any {@link MemorySegment} (a scratch buffer
 * the ring then copies into DMA memory, or shared memory in the jcstress tests); it never orders
 * anything: publishing is the caller's job.
 *
 * <p>Mapping of {@link Descriptor}'s flags onto the device's: every descriptor asks for a completion record
 * ({@code CRAV | RCR}) at its slot's record; {@link Descriptor#INTERRUPT} adds {@code RCI} with the
 * given interrupt handle; a descriptor without {@link Descriptor#VALID}, and every NOOP, is encoded
 * as a bare NOOP (no addresses, no size) so the device skips its buffers.
 */
public final class DescriptorCodec {
    private DescriptorCodec() { }

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Largest length the 32-bit transfer-size field holds. */
    public static final long MAX_ENCODABLE_LENGTH = 0xFFFF_FFFFL;
    /** Largest interrupt handle the 16-bit field holds. */
    public static final int MAX_INTERRUPT_HANDLE = 0xFFFF;

    /** Throws IllegalArgumentException, naming the field, when {@code d} cannot be encoded. */
    public static void checkEncodable(Descriptor d) {
        if (d.length() > MAX_ENCODABLE_LENGTH) {
            throw new IllegalArgumentException(String.format(
                    "descriptor length %#x does not fit the 32-bit transfer-size field (offset %#x)",
                    d.length(), CopyDescriptorLayout.XFER_SIZE));
        }
    }

    /**
     * Writes the 64-byte encoding of {@code d} at {@code offset} of {@code dst}, every byte of it
     * (reserved fields zero).
     *
     * @param completionAddress bus address of the slot's completion record (32-byte aligned)
     * @param interruptHandle   MSI-X entry for {@link Descriptor#INTERRUPT}
     */
    public static void encode(MemorySegment dst, long offset, Descriptor d, long completionAddress, int interruptHandle) {
        checkEncodable(d);
        if (interruptHandle < 0 || interruptHandle > MAX_INTERRUPT_HANDLE) {
            throw new IllegalArgumentException("interrupt handle must be 0..0xffff, was " + interruptHandle);
        }
        zero(dst, offset);
        int deviceFlags = CopyDescriptorLayout.FLAG_CRAV | CopyDescriptorLayout.FLAG_RCR;
        if (d.hasFlag(Descriptor.INTERRUPT)) {
            deviceFlags |= CopyDescriptorLayout.FLAG_RCI;
            dst.set(SHORT, offset + CopyDescriptorLayout.INT_HANDLE, (short) interruptHandle);
        }
        Opcode op = d.executes() ? d.opcode() : Opcode.NOOP;
        dst.set(INT, offset + CopyDescriptorLayout.FLAGS_OPCODE, CopyDescriptorLayout.flagsOpcode(deviceFlags, op.code()));
        dst.set(LONG, offset + CopyDescriptorLayout.COMPLETION_ADDR, completionAddress);
        switch (op) {
            case NOOP -> { }
            case MEMMOVE -> {
                dst.set(LONG, offset + CopyDescriptorLayout.SRC_ADDR, d.address());
                dst.set(LONG, offset + CopyDescriptorLayout.DST_ADDR, d.destination());
            }
            case MEMFILL -> {
                dst.set(LONG, offset + CopyDescriptorLayout.PATTERN, d.pattern());
                dst.set(LONG, offset + CopyDescriptorLayout.DST_ADDR, d.address());
            }
            case COMPARE -> {
                dst.set(LONG, offset + CopyDescriptorLayout.SRC_ADDR, d.address());
                dst.set(LONG, offset + CopyDescriptorLayout.SRC2_ADDR, d.destination());
            }
            // The count goes in the transfer-size field (DESC_COUNT), written below.
            case BATCH -> dst.set(LONG, offset + CopyDescriptorLayout.DESC_LIST_ADDR, d.address());
            case CHAIN -> dst.set(LONG, offset + CopyDescriptorLayout.FIRST_LINK, d.address());
            case DRAIN -> { }
        }
        if (op != Opcode.NOOP && op != Opcode.CHAIN && op != Opcode.DRAIN) {
            dst.set(INT, offset + CopyDescriptorLayout.XFER_SIZE, (int) d.length());
        }
    }

    /**
     * Zeroes the 64 bytes of a descriptor with eight 8-byte stores: a segment fill of 64 bytes is
     * a call into the VM's set-memory routine, 8% of a ring round trip's profile.
     */
    private static void zero(MemorySegment dst, long offset) {
        Objects.checkFromIndexSize(offset, CopyDescriptorLayout.SIZE, dst.byteSize());
        for (long i = 0; i < CopyDescriptorLayout.SIZE; i += Long.BYTES) {
            dst.set(LONG, offset + i, 0L);
        }
    }

    /**
     * The operation {@code d} runs as a chain link.
     *
     * @throws IllegalArgumentException when it is a BATCH, CHAIN or DRAIN (only NOOP, MEMMOVE,
     *         MEMFILL and COMPARE can be links)
     */
    static Opcode checkLink(Descriptor d) {
        Opcode op = d.executes() ? d.opcode() : Opcode.NOOP;
        if (op == Opcode.BATCH || op == Opcode.CHAIN || op == Opcode.DRAIN) {
            throw new IllegalArgumentException(op + " cannot be a chain link (NOOP, MEMMOVE, MEMFILL or COMPARE)");
        }
        return op;
    }

    /**
     * Writes {@code d} as a CHAIN link at {@code offset} of {@code dst}: its operation as
     * {@link #encode} would, but with no record or interrupt of its own (the chain has one), and
     * either the engine's LAST flag ({@code next} = -1) or the device address of the next link in
     * the next-link field.
     *
     * @throws IllegalArgumentException when {@code d} is not a NOOP, MEMMOVE, MEMFILL or COMPARE,
     *         or its length does not fit
     */
    public static void encodeLink(MemorySegment dst, long offset, Descriptor d, long next) {
        Opcode op = checkLink(d);
        encode(dst, offset, d.withFlags(d.flags() & ~Descriptor.INTERRUPT), 0, 0);
        int linkFlags = next == -1 ? CopyDescriptorLayout.FLAG_LINK_LAST : 0;
        dst.set(INT, offset + CopyDescriptorLayout.FLAGS_OPCODE, CopyDescriptorLayout.flagsOpcode(linkFlags, op.code()));
        dst.set(LONG, offset + CopyDescriptorLayout.COMPLETION_ADDR, 0L);
        dst.set(LONG, offset + CopyDescriptorLayout.NEXT_LINK, next == -1 ? 0 : next);
    }

    /** A CHAIN record's jdma fields (zero for any other descriptor); {@link ChainProgress#NONE} when both are zero. */
    public static ChainProgress chainProgress(MemorySegment src, long offset) {
        long bytes = Integer.toUnsignedLong(src.get(INT, offset + CompletionRecordLayout.CHAIN_LINK_BYTES));
        long link = src.get(LONG, offset + CompletionRecordLayout.CHAIN_LINK_ADDR);
        return bytes == 0 && link == 0 ? ChainProgress.NONE : new ChainProgress(bytes, link);
    }

    /** The fields of an encoded descriptor, as a device (or a test consumer) reads them. */
    public record Encoded(int deviceFlags, int opcode, long completionAddress, long sourceOrPattern,
                          long destination, long transferSize, int interruptHandle) {
        public boolean hasFlag(int deviceFlag) {
            return (deviceFlags & deviceFlag) == deviceFlag;
        }
    }

    public static Encoded decode(MemorySegment src, long offset) {
        int fo = src.get(INT, offset + CopyDescriptorLayout.FLAGS_OPCODE);
        return new Encoded(fo & CopyDescriptorLayout.FLAGS_MASK, fo >>> CopyDescriptorLayout.OPCODE_SHIFT,
                src.get(LONG, offset + CopyDescriptorLayout.COMPLETION_ADDR),
                src.get(LONG, offset + CopyDescriptorLayout.SRC_ADDR),
                src.get(LONG, offset + CopyDescriptorLayout.DST_ADDR),
                Integer.toUnsignedLong(src.get(INT, offset + CopyDescriptorLayout.XFER_SIZE)),
                Short.toUnsignedInt(src.get(SHORT, offset + CopyDescriptorLayout.INT_HANDLE)));
    }

    /** A completion record's fields. */
    public record Completion(int statusByte, int result, long bytesCompleted, long faultAddress) {
        public CompletionStatus status() {
            return CompletionStatus.fromStatusByte(statusByte);
        }
    }

    /** The status byte of the record at {@code offset} (no ordering; see the class comment). */
    public static int statusByte(MemorySegment src, long offset) {
        return Byte.toUnsignedInt(src.get(BYTE, offset + CompletionRecordLayout.STATUS));
    }

    /** The RESULT byte of the record at {@code offset}. */
    public static int result(MemorySegment src, long offset) {
        return Byte.toUnsignedInt(src.get(BYTE, offset + CompletionRecordLayout.RESULT));
    }

    /** The BYTES_COMPLETED field of the record at {@code offset}. */
    public static long bytesCompleted(MemorySegment src, long offset) {
        return Integer.toUnsignedLong(src.get(INT, offset + CompletionRecordLayout.BYTES_COMPLETED));
    }

    /** The FAULT_ADDR field of the record at {@code offset}. */
    public static long faultAddress(MemorySegment src, long offset) {
        return src.get(LONG, offset + CompletionRecordLayout.FAULT_ADDR);
    }

    public static Completion decodeCompletion(MemorySegment src, long offset) {
        return new Completion(statusByte(src, offset), result(src, offset), bytesCompleted(src, offset), faultAddress(src, offset));
    }

    /**
     * Writes every field of a completion record except the status byte (what a device does before
     * it publishes the status). Test consumers and the jcstress tests use it.
     */
    public static void encodeCompletionFields(MemorySegment dst, long offset, int result, long bytesCompleted, long faultAddress) {
        dst.set(BYTE, offset + CompletionRecordLayout.RESULT, (byte) result);
        dst.set(INT, offset + CompletionRecordLayout.BYTES_COMPLETED, (int) bytesCompleted);
        dst.set(LONG, offset + CompletionRecordLayout.FAULT_ADDR, faultAddress);
    }
}
