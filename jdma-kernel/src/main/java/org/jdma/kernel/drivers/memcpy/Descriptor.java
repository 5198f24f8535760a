package org.jdma.kernel.drivers.memcpy;

import java.util.Objects;
import org.jdma.kernel.dma.DmaDirection;
import org.jdma.kernel.dma.DmaInFlight;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;

/**
 * One unit of DMA work as the kernel describes it, before it is encoded into the device's
 * 64-byte ring format by {@link DescriptorCodec}.
 *
 * <p>The three-argument constructor is the plain {@code {address, length, flags}} descriptor of a
 * ring that only names buffers (the {@code hardware} crate's): it makes a {@link Opcode#NOOP NOOP}.
 * The copy engine's operations add an opcode, a second address and a fill pattern:
 *
 * <pre>
 * opcode   address            destination        pattern   length
 * NOOP     (the named buffer) 0                  0         (the named buffer's length)
 * MEMMOVE  source             destination        0         bytes to copy
 * MEMFILL  destination        0                  8 bytes   bytes to fill
 * COMPARE  first source       second source      0         bytes to compare
 * BATCH    descriptor list    0                  0         descriptors in the list
 * CHAIN    first link         0                  0         0 (links follow next-link addresses)
 * DRAIN    0                  0                  0         0
 * </pre>
 *
 * Addresses are device addresses: physical without an IOMMU, IOVAs behind one.
 *
 * <p>Flags: {@link #VALID} marks a
 * descriptor the device should execute (one without it occupies its slot and completes as a NOOP);
 * {@link #INTERRUPT} asks for a completion interrupt; {@link #LAST} marks the last descriptor of a
 * chain: {@link CopyEngineDriver#copyChain} runs a list of descriptors as one chain that ends at the
 * one with LAST (and refuses a list where LAST is missing from the end or set before it), with one
 * completion and at most one interrupt for the chain; a descriptor submitted on its own is a chain
 * of one, LAST or not. {@link #ERROR} and {@link #DONE} are output flags the engine sets on the copy
 * it hands back from {@link CopyRing#drain}, and are ignored on submission.
 *
 * @param address     the first buffer operand (see the table)
 * @param length      bytes; never negative
 * @param flags       {@link #VALID}, {@link #INTERRUPT}, {@link #LAST}
 * @param opcode      the device operation
 * @param destination the second buffer operand, 0 when the opcode has none
 * @param pattern     the MEMFILL pattern (8 bytes, little-endian in memory), 0 otherwise
 */
public record Descriptor(long address, long length, int flags, Opcode opcode, long destination, long pattern) {

    public static final int VALID = 0x01;
    public static final int INTERRUPT = 0x02;
    public static final int LAST = 0x04;
    public static final int ERROR = 0x10;
    public static final int DONE = 0x20;

    /** The flags a caller may set; {@link #ERROR} and {@link #DONE} belong to the engine. */
    public static final int INPUT_FLAGS = VALID | INTERRUPT | LAST;

    public Descriptor {
        Objects.requireNonNull(opcode, "opcode");
        if (length < 0) {
            throw new IllegalArgumentException("descriptor length must not be negative, was " + length);
        }
        if (opcode != Opcode.MEMFILL && pattern != 0) {
            throw new IllegalArgumentException("only MEMFILL carries a pattern; " + opcode + " had " + Long.toHexString(pattern));
        }
        boolean oneAddress = opcode == Opcode.NOOP || opcode == Opcode.MEMFILL || opcode == Opcode.BATCH
                || opcode == Opcode.CHAIN || opcode == Opcode.DRAIN;
        if (oneAddress && destination != 0) {
            throw new IllegalArgumentException(opcode + " has no second address; destination was 0x" + Long.toHexString(destination));
        }
    }

    /** The {@code hardware} crate's descriptor: a buffer and flags, no operation (a NOOP for the copy engine). */
    public Descriptor(long address, long length, int flags) {
        this(address, length, flags, Opcode.NOOP, 0, 0);
    }

    /** A VALID copy of {@code length} bytes from {@code source} to {@code destination}. */
    public static Descriptor memmove(long source, long destination, long length) {
        return new Descriptor(source, length, VALID, Opcode.MEMMOVE, destination, 0);
    }

    /** A VALID fill of {@code length} bytes at {@code destination} with the 8-byte {@code pattern}. */
    public static Descriptor memfill(long destination, long length, long pattern) {
        return new Descriptor(destination, length, VALID, Opcode.MEMFILL, 0, pattern);
    }

    /** A VALID comparison of {@code length} bytes at {@code first} and {@code second}. */
    public static Descriptor compare(long first, long second, long length) {
        return new Descriptor(first, length, VALID, Opcode.COMPARE, second, 0);
    }

    /**
     * A VALID batch: {@code count} 64-byte descriptors at device address {@code list} (64-byte
     * aligned), executed in order with one completion for the batch (DSA BATCH; the engine checks
     * the count and the alignment and reports violations in the completion record).
     */
    public static Descriptor batch(long list, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("batch descriptor count must not be negative, was " + count);
        }
        return new Descriptor(list, count, VALID, Opcode.BATCH, 0, 0);
    }

    /**
     * A VALID chain (a jdma extension of the copy engine, CAP.CHAIN): the links start at device
     * address {@code firstLink} (64-byte aligned), each names the next, the last carries the
     * engine's LAST flag; one completion for the chain. {@link CopyEngineDriver#copyChain} builds
     * the links.
     */
    public static Descriptor chain(long firstLink) {
        return new Descriptor(firstLink, 0, VALID, Opcode.CHAIN, 0, 0);
    }

    /** A VALID drain: completes only after every descriptor submitted before it has completed. */
    public static Descriptor drain() {
        return new Descriptor(0, 0, VALID, Opcode.DRAIN, 0, 0);
    }

    /** A VALID no-operation: completes with SUCCESS and touches no memory. */
    public static Descriptor noop() {
        return new Descriptor(0, 0, VALID, Opcode.NOOP, 0, 0);
    }

    /** This descriptor with {@code newFlags}; itself when they are its flags already (a record: nothing to copy). */
    public Descriptor withFlags(int newFlags) {
        if (newFlags == flags) {
            return this;
        }
        return new Descriptor(address, length, newFlags, opcode, destination, pattern);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) == flag;
    }

    /** Whether the device executes this descriptor's opcode (VALID set and not a NOOP). */
    public boolean executes() {
        return hasFlag(VALID) && opcode != Opcode.NOOP;
    }

    /**
     * Adds the device-address ranges this descriptor names to {@code r}, with the access the
     * engine makes: sources and a batch's list it reads, destinations it writes; a NOOP's buffer
     * (the {@code hardware} crate's descriptor) is only named. A NOOP naming nothing (address and
     * length 0) adds nothing.
     */
    public void namedRanges(DmaInFlight.RangeSink r) {
        switch (opcode) {
            case NOOP -> {
                if (address != 0 || length != 0) {
                    r.add("buffer", address, length, DmaDirection.NONE);
                }
            }
            case MEMMOVE -> {
                r.add("MEMMOVE source", address, length, DmaDirection.TO_DEVICE);
                r.add("MEMMOVE destination", destination, length, DmaDirection.FROM_DEVICE);
            }
            case MEMFILL -> r.add("MEMFILL destination", address, length, DmaDirection.FROM_DEVICE);
            case COMPARE -> {
                r.add("COMPARE first source", address, length, DmaDirection.TO_DEVICE);
                r.add("COMPARE second source", destination, length, DmaDirection.TO_DEVICE);
            }
            case BATCH -> r.add("BATCH descriptor list", address, length * CopyDescriptorLayout.SIZE, DmaDirection.TO_DEVICE);
            // The links' own buffers are the chain builder's to check and hold (ChainCopy).
            case CHAIN -> r.add("CHAIN first link", address, CopyDescriptorLayout.SIZE, DmaDirection.TO_DEVICE);
            case DRAIN -> { } // names no memory
        }
    }

    /** Whether the descriptor names memory in [start, start + len): either of its buffer operands. */
    public boolean touches(long start, long len) {
        // A batch names its descriptor list, a chain its first link; the memory they name is not tracked here.
        long firstLength = opcode == Opcode.BATCH ? length * CopyDescriptorLayout.SIZE : length;
        if (overlaps(address, firstLength, start, len)) {
            return true;
        }
        boolean twoBuffers = opcode == Opcode.MEMMOVE || opcode == Opcode.COMPARE;
        return twoBuffers && overlaps(destination, length, start, len);
    }

    /** Half-open range overlap in unsigned address space; an empty range counts as its first byte. */
    public static boolean overlaps(long a, long aLen, long b, long bLen) {
        long aLast = lastByte(a, aLen);
        long bLast = lastByte(b, bLen);
        return Long.compareUnsigned(a, bLast) <= 0 && Long.compareUnsigned(b, aLast) <= 0;
    }

    /** The last byte of [start, start + len), clamped to the top of the address space. */
    private static long lastByte(long start, long len) {
        long last = start + Math.max(len, 1) - 1;
        return Long.compareUnsigned(last, start) < 0 ? -1L : last;
    }
}
