package org.jdma.machine.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The x86 I/O address space: 2^16 8-bit ports, separate from physical memory (Intel SDM Vol. 1
 * §19.2-19.3), into which devices claim port ranges. The CPU's {@code IN}/{@code OUT} instructions
 * are its only initiator.
 *
 * <h2>Claims</h2>
 * A claim is a range of consecutive ports with one owner and one {@link IoPortHandler}; claims
 * never overlap (a second claim on a claimed port is refused naming both owners), and are made
 * while the machine is assembled.
 *
 * <h2>Accesses</h2>
 * Reads and writes are 1, 2 or 4 bytes wide, little-endian (port {@code p} is bits 7:0, port
 * {@code p + 1} bits 15:8, ...).
 * <ul>
 *   <li>An access whose every port lies inside one claim goes to that claim's handler as one
 *       access of its full width: the device decodes 16- and 32-bit cycles itself (a PCI device's
 *       I/O BAR does; the LPC bridge splits them into bytes before its devices see them).</li>
 *   <li>An access that straddles two claims, or a claim and unclaimed ports, is carried out the
 *       way a chipset carries a cycle no single target accepts: as consecutive byte cycles in
 *       ascending port order, each to the owner of its port. This is what Intel's ICH/PCH LPC
 *       bridges document for every 16- and 32-bit I/O cycle ("breaks up 16- and 32-bit processor
 *       cycles into multiple 8-bit transfers", ICH4 datasheet §5.3.1.1).</li>
 *   <li>A port no device claims behaves like an ISA/LPC master abort: its byte reads as
 *       {@code 0xFF} (pull-ups keep the bus high) and a write to it is dropped. Such accesses are
 *       counted in {@link #unclaimedAccesses()}, never thrown.</li>
 * </ul>
 * A port number or width the CPU cannot produce (a port beyond {@link #MAX_PORT}, an access
 * running past it, a width other than 1, 2 or 4) is an {@link IllegalArgumentException} naming
 * it: that is a bug in the caller, not something a program running on the machine can cause.
 *
 * <p>Thread use: the machine's event thread. Timing is the CPU's business (it stalls for each
 * access); the space only dispatches and counts.
 */
public final class IoPortSpace {

    /** The highest port number. */
    public static final int MAX_PORT = 0xFFFF;

    /** Claims sorted by first port; replaced, never mutated, so a lookup needs no lock. */
    private IoPortClaim[] claims = new IoPortClaim[0];

    private long reads;
    private long writes;
    private long splitAccesses;
    private long unclaimedReads;
    private long unclaimedWrites;

    /**
     * Claims ports {@code [first, first + count)} for {@code owner}.
     *
     * @throws IllegalArgumentException when the range is empty or leaves the port space, or when
     *         a port of it is already claimed (the message names both owners and the ports)
     */
    public IoPortClaim claim(String owner, int first, int count, IoPortHandler handler) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(handler, "handler");
        if (count <= 0 || first < 0 || (long) first + count - 1 > MAX_PORT) {
            throw new IllegalArgumentException(String.format(
                    "%s: I/O port range at %#x of %d ports is empty or leaves the port space 0x0000-%#06x",
                    owner, first, count, MAX_PORT));
        }
        IoPortClaim conflict = overlapping(first, count);
        if (conflict != null) {
            throw new IllegalArgumentException(String.format(
                    "%s cannot claim I/O ports [%#06x-%#06x]: %s already claims them",
                    owner, first, first + count - 1, conflict));
        }
        IoPortClaim c = new IoPortClaim(owner, first, count, handler);
        IoPortClaim[] next = Arrays.copyOf(claims, claims.length + 1);
        next[claims.length] = c;
        Arrays.sort(next, Comparator.comparingInt(IoPortClaim::first));
        claims = next;
        return c;
    }

    /** Gives a claim's ports back (a device unplugged, or a plug that failed half-way). */
    public void release(IoPortClaim claim) {
        List<IoPortClaim> next = new ArrayList<>(Arrays.asList(claims));
        if (!next.remove(claim)) {
            throw new IllegalArgumentException("not a claim of this port space: " + claim);
        }
        claims = next.toArray(IoPortClaim[]::new);
    }

    /** The first claim that overlaps {@code [first, first + count)}, or null when all are free. */
    public IoPortClaim overlapping(int first, int count) {
        for (IoPortClaim c : claims) {
            if (c.overlaps(first, count)) {
                return c;
            }
        }
        return null;
    }

    /** The claim holding {@code port}, or null when no device decodes it. */
    public IoPortClaim claimAt(int port) {
        IoPortClaim[] cs = claims;
        int lo = 0;
        int hi = cs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            IoPortClaim c = cs[mid];
            if (port < c.first()) {
                hi = mid - 1;
            } else if (port > c.last()) {
                lo = mid + 1;
            } else {
                return c;
            }
        }
        return null;
    }

    /** Every claim, by first port. */
    public List<IoPortClaim> claims() {
        return List.of(claims);
    }

    /** Reads {@code width} bytes at {@code port}, little-endian; unclaimed bytes read 0xFF. */
    public int read(int port, int width) {
        check(port, width);
        reads++;
        IoPortClaim c = claimAt(port);
        if (c != null && port + width - 1 <= c.last()) {
            return mask(c.handler().read(port - c.first(), width), width);
        }
        splitAccesses++;
        int value = 0;
        boolean unclaimed = false;
        for (int i = 0; i < width; i++) {
            IoPortClaim b = i == 0 ? c : claimAt(port + i);
            int v;
            if (b == null) {
                unclaimed = true;
                v = 0xFF;
            } else {
                v = b.handler().read(port + i - b.first(), 1) & 0xFF;
            }
            value |= v << (8 * i);
        }
        if (unclaimed) {
            unclaimedReads++;
        }
        return value;
    }

    /** Writes the low {@code width} bytes of {@code value} at {@code port}; unclaimed bytes are dropped. */
    public void write(int port, int width, int value) {
        check(port, width);
        writes++;
        int v = mask(value, width);
        IoPortClaim c = claimAt(port);
        if (c != null && port + width - 1 <= c.last()) {
            c.handler().write(port - c.first(), width, v);
            return;
        }
        splitAccesses++;
        boolean unclaimed = false;
        for (int i = 0; i < width; i++) {
            IoPortClaim b = i == 0 ? c : claimAt(port + i);
            if (b == null) {
                unclaimed = true;
            } else {
                b.handler().write(port + i - b.first(), 1, (v >>> (8 * i)) & 0xFF);
            }
        }
        if (unclaimed) {
            unclaimedWrites++;
        }
    }

    private static void check(int port, int width) {
        if (width != 1 && width != 2 && width != 4) {
            throw new IllegalArgumentException("I/O access width must be 1, 2 or 4 bytes, was " + width);
        }
        if (port < 0 || port + width - 1 > MAX_PORT) {
            throw new IllegalArgumentException(String.format(
                    "I/O port %#x with width %d is outside the port space 0x0000-%#06x", port, width, MAX_PORT));
        }
    }

    private static int mask(int value, int width) {
        return width == 4 ? value : value & ((1 << (8 * width)) - 1);
    }

    /** Reads, claimed or not. */
    public long reads() { return reads; }

    /** Writes, claimed or not. */
    public long writes() { return writes; }

    /** Accesses carried out as byte cycles because no single claim held all their ports. */
    public long splitAccesses() { return splitAccesses; }

    /** Reads of which at least one byte found no claim (read as 0xFF). */
    public long unclaimedReads() { return unclaimedReads; }

    /** Writes of which at least one byte found no claim (dropped). */
    public long unclaimedWrites() { return unclaimedWrites; }

    /** Accesses of which at least one byte found no claim: the master aborts of the I/O space. */
    public long unclaimedAccesses() { return unclaimedReads + unclaimedWrites; }
}
