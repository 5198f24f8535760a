package org.jdma.spec.ixgbe;

import static org.jdma.spec.ixgbe.IxgbeRegisters.*;

import java.util.Objects;

/**
 * Receive-side scaling as the 82599 computes it (datasheet §7.1.2.8, the same function as
 * Microsoft's RSS specification): a Toeplitz hash over fields of the frame's IP and TCP/UDP
 * headers, with the 40-byte key of RSSRK; the queue is RETA[hash &amp; 0x7F].
 *
 * <pre>
 * hash input (bytes, in the order they occur in the packet):
 *   IPv4           source address, destination address                    8 bytes  type 2
 *   IPv4/TCP, UDP  source address, destination address, source port,
 *                  destination port                                      12 bytes  type 1, 7
 *   IPv6           source address, destination address                   32 bytes  type 5
 *   IPv6/TCP, UDP  ... and the two ports                                 36 bytes  type 3, 8
 * Toeplitz: result = 0; for each input bit b from the most significant bit of byte 0:
 *   if b == 1, result ^= the key's leftmost 32 bits; the key shifts left by one bit.
 * </pre>
 *
 * The header fields are read from an Ethernet II frame (no VLAN tag): IPv4 (EtherType 0x0800,
 * version 4, IHL words of header; ports only when the packet is not a fragment) or IPv6 (0x86DD,
 * the TCP or UDP header right after the fixed header; extension headers are not followed, so such
 * a packet hashes as IPv6 only). MRQC's field bits choose which of these the card computes; the
 * most specific enabled one wins. A frame that matches none gets hash 0 and type 0.
 */
public final class RssHash {

    private RssHash() { }

    /** The hash, its type (the receive descriptor's RSS type, bits 3:0) and the packet type bits of dword 0. */
    public record Result(int hash, int type, int packetType) {
        public static final Result NONE = new Result(0, AdvancedRxDescriptorLayout.RSSTYPE_NONE, 0);
    }

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    private static final int L3 = 14;
    private static final int IPV6_HEADER = 40;

    /** The Toeplitz hash of {@code input[offset, offset + length)} with {@code key} (at least length + 4 bytes). */
    public static int toeplitz(byte[] key, byte[] input, int offset, int length) {
        if (key.length < length + 4) {
            throw new IllegalArgumentException("an RSS key of " + key.length + " bytes cannot hash " + length + " bytes of input");
        }
        int result = 0;
        int window = (key[0] & 0xFF) << 24 | (key[1] & 0xFF) << 16 | (key[2] & 0xFF) << 8 | (key[3] & 0xFF);
        for (int i = 0; i < length; i++) {
            int next = key[i + 4] & 0xFF;
            int in = input[offset + i] & 0xFF;
            for (int bit = 7; bit >= 0; bit--) {
                if ((in >>> bit & 1) != 0) {
                    result ^= window;
                }
                window = window << 1 | (next >>> bit & 1);
            }
        }
        return result;
    }

    /** Whether {@code frame} is one {@link #of} may hash: IPv4 or IPv6, long enough for an IP header; for the others it answers {@link Result#NONE}. */
    public static boolean mayHash(byte[] frame) {
        if (frame.length < L3 + 20) {
            return false;
        }
        int etherType = (frame[12] & 0xFF) << 8 | (frame[13] & 0xFF);
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }

    /** What the card computes for {@code frame} with MRQC holding {@code mrqc} and the key {@code key}. */
    public static Result of(byte[] frame, int mrqc, byte[] key) {
        Objects.requireNonNull(frame, "frame");
        if (frame.length < L3 + 20) {
            return Result.NONE;
        }
        int etherType = (frame[12] & 0xFF) << 8 | (frame[13] & 0xFF);
        return switch (etherType) {
            case ETHERTYPE_IPV4 -> ipv4(frame, mrqc, key);
            case ETHERTYPE_IPV6 -> ipv6(frame, mrqc, key);
            default -> Result.NONE;
        };
    }

    private static Result ipv4(byte[] f, int mrqc, byte[] key) {
        int ihl = (f[L3] & 0xF) * 4;
        if ((f[L3] & 0xF0) != 0x40 || ihl < 20 || f.length < L3 + ihl) {
            return Result.NONE;
        }
        int protocol = f[L3 + 9] & 0xFF;
        boolean fragment = ((f[L3 + 6] & 0x3F) | (f[L3 + 7] & 0xFF)) != 0; // MF or a fragment offset
        boolean ports = !fragment && f.length >= L3 + ihl + 4;
        int packetType = AdvancedRxDescriptorLayout.PKTTYPE_IPV4 | l4Type(protocol, ports);
        byte[] input = new byte[12];
        System.arraycopy(f, L3 + 12, input, 0, 8);
        if (ports) {
            System.arraycopy(f, L3 + ihl, input, 8, 4);
        }
        if (ports && protocol == PROTOCOL_TCP && (mrqc & MRQC_RSS_FIELD_IPV4_TCP) != 0) {
            return new Result(toeplitz(key, input, 0, 12), AdvancedRxDescriptorLayout.RSSTYPE_IPV4_TCP, packetType);
        }
        if (ports && protocol == PROTOCOL_UDP && (mrqc & MRQC_RSS_FIELD_IPV4_UDP) != 0) {
            return new Result(toeplitz(key, input, 0, 12), AdvancedRxDescriptorLayout.RSSTYPE_IPV4_UDP, packetType);
        }
        if ((mrqc & MRQC_RSS_FIELD_IPV4) != 0) {
            return new Result(toeplitz(key, input, 0, 8), AdvancedRxDescriptorLayout.RSSTYPE_IPV4, packetType);
        }
        return new Result(0, AdvancedRxDescriptorLayout.RSSTYPE_NONE, packetType);
    }

    private static Result ipv6(byte[] f, int mrqc, byte[] key) {
        if ((f[L3] & 0xF0) != 0x60 || f.length < L3 + IPV6_HEADER) {
            return Result.NONE;
        }
        int nextHeader = f[L3 + 6] & 0xFF;
        boolean ports = f.length >= L3 + IPV6_HEADER + 4;
        int packetType = AdvancedRxDescriptorLayout.PKTTYPE_IPV6 | l4Type(nextHeader, ports);
        byte[] input = new byte[36];
        System.arraycopy(f, L3 + 8, input, 0, 32);
        if (ports) {
            System.arraycopy(f, L3 + IPV6_HEADER, input, 32, 4);
        }
        if (ports && nextHeader == PROTOCOL_TCP && (mrqc & MRQC_RSS_FIELD_IPV6_TCP) != 0) {
            return new Result(toeplitz(key, input, 0, 36), AdvancedRxDescriptorLayout.RSSTYPE_IPV6_TCP, packetType);
        }
        if (ports && nextHeader == PROTOCOL_UDP && (mrqc & MRQC_RSS_FIELD_IPV6_UDP) != 0) {
            return new Result(toeplitz(key, input, 0, 36), AdvancedRxDescriptorLayout.RSSTYPE_IPV6_UDP, packetType);
        }
        if ((mrqc & MRQC_RSS_FIELD_IPV6) != 0) {
            return new Result(toeplitz(key, input, 0, 32), AdvancedRxDescriptorLayout.RSSTYPE_IPV6, packetType);
        }
        return new Result(0, AdvancedRxDescriptorLayout.RSSTYPE_NONE, packetType);
    }

    private static int l4Type(int protocol, boolean ports) {
        if (!ports) {
            return 0;
        }
        return switch (protocol) {
            case PROTOCOL_TCP -> AdvancedRxDescriptorLayout.PKTTYPE_TCP;
            case PROTOCOL_UDP -> AdvancedRxDescriptorLayout.PKTTYPE_UDP;
            default -> 0;
        };
    }

    /** The RETA index of {@code hash}: its low 7 bits. */
    public static int retaIndex(int hash) {
        return hash & (RETA_ENTRIES - 1);
    }
}
