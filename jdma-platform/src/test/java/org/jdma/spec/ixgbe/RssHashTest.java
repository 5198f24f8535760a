package org.jdma.spec.ixgbe;

import static org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout.*;
import static org.jdma.spec.ixgbe.IxgbeRegisters.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The RSS hash against Microsoft's RSS verification suite ("Verifying the RSS Hash Calculation",
 * also the 82599 datasheet's §7.1.2.8.3): its key, and for each address and port pair the hash
 * of the addresses alone and of addresses and TCP ports, computed from real IPv4 and IPv6 frames.
 */
class RssHashTest {

    static final byte[] KEY = HexFormat.of().parseHex(
            "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa");

    static final int ALL_FIELDS = MRQC_RSSEN | MRQC_RSS_FIELDS;

    @ParameterizedTest
    @CsvSource({
        "161.142.100.80, 1766, 66.9.149.187, 2794, 323e8fc2, 51ccc178",
        "65.69.140.83, 4739, 199.92.111.2, 14230, d718262a, c626b0ea",
        "12.22.207.184, 38024, 24.19.198.95, 12898, d2d0a5de, 5c2b394a",
        "209.142.163.6, 2217, 38.27.205.30, 48228, 82989176, afc7327f",
        "202.188.127.2, 1303, 153.39.163.191, 44251, 5d1809c5, 10e828a2",
    })
    void shouldMatchTheVerificationSuiteForIpv4(String dst, int dstPort, String src, int srcPort, String ipOnly, String withTcp)
            throws UnknownHostException {
        byte[] tcp = frame(src, srcPort, dst, dstPort, RssHash.PROTOCOL_TCP);
        assertEquals(new RssHash.Result(hex(withTcp), RSSTYPE_IPV4_TCP, PKTTYPE_IPV4 | PKTTYPE_TCP), RssHash.of(tcp, ALL_FIELDS, KEY));
        assertEquals(new RssHash.Result(hex(ipOnly), RSSTYPE_IPV4, PKTTYPE_IPV4 | PKTTYPE_TCP),
                RssHash.of(tcp, MRQC_RSSEN | MRQC_RSS_FIELD_IPV4, KEY), "TCP fields off: the addresses only");
        byte[] udp = frame(src, srcPort, dst, dstPort, RssHash.PROTOCOL_UDP);
        assertEquals(new RssHash.Result(hex(withTcp), RSSTYPE_IPV4_UDP, PKTTYPE_IPV4 | PKTTYPE_UDP), RssHash.of(udp, ALL_FIELDS, KEY),
                "UDP hashes the same four fields");
    }

    @ParameterizedTest
    @CsvSource({
        "3ffe:2501:200:3::1, 1766, 3ffe:2501:200:1fff::7, 2794, 2cc18cd5, 40207d3d",
        "ff02::1, 4739, 3ffe:501:8::260:97ff:fe40:efab, 14230, 0f0c461c, dde51bbf",
        "fe80::200:f8ff:fe21:67cf, 38024, 3ffe:1900:4545:3:200:f8ff:fe21:67cf, 44251, 4b61e985, 02d1feef",
    })
    void shouldMatchTheVerificationSuiteForIpv6(String dst, int dstPort, String src, int srcPort, String ipOnly, String withTcp)
            throws UnknownHostException {
        byte[] tcp = frame(src, srcPort, dst, dstPort, RssHash.PROTOCOL_TCP);
        assertEquals(new RssHash.Result(hex(withTcp), RSSTYPE_IPV6_TCP, PKTTYPE_IPV6 | PKTTYPE_TCP), RssHash.of(tcp, ALL_FIELDS, KEY));
        assertEquals(hex(ipOnly), RssHash.of(tcp, MRQC_RSSEN | MRQC_RSS_FIELD_IPV6, KEY).hash());
        byte[] other = frame(src, srcPort, dst, dstPort, 58); // ICMPv6: no ports
        assertEquals(new RssHash.Result(hex(ipOnly), RSSTYPE_IPV6, PKTTYPE_IPV6), RssHash.of(other, ALL_FIELDS, KEY));
    }

    @ParameterizedTest
    @CsvSource({"0x0800, 0x45", "0x88B5, 0x45", "0x0800, 0x55"})
    void shouldHashNothingInAFrameThatIsNotIpv4OrIpv6(int etherType, int firstByte) {
        byte[] f = new byte[60];
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        f[14] = (byte) firstByte;
        f[20] = (byte) (etherType == 0x0800 && firstByte == 0x45 ? 0x20 : 0); // a fragment (MF): no ports
        f[23] = RssHash.PROTOCOL_TCP;
        RssHash.Result r = RssHash.of(f, ALL_FIELDS, KEY);
        assertEquals(etherType == 0x0800 && firstByte == 0x45 ? RSSTYPE_IPV4 : RSSTYPE_NONE, r.type(), r.toString());
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s, 16);
    }

    /** An Ethernet frame with an IPv4 or IPv6 header from {@code src} to {@code dst} and the two ports. */
    static byte[] frame(String src, int srcPort, String dst, int dstPort, int protocol) throws UnknownHostException {
        byte[] s = InetAddress.getByName(src).getAddress();
        byte[] d = InetAddress.getByName(dst).getAddress();
        boolean v6 = s.length == 16;
        int l4 = 14 + (v6 ? 40 : 20);
        byte[] f = new byte[Math.max(60, l4 + 8)];
        int type = v6 ? RssHash.ETHERTYPE_IPV6 : RssHash.ETHERTYPE_IPV4;
        f[12] = (byte) (type >>> 8);
        f[13] = (byte) type;
        if (v6) {
            f[14] = 0x60;
            f[20] = (byte) protocol;
            System.arraycopy(s, 0, f, 22, 16);
            System.arraycopy(d, 0, f, 38, 16);
        } else {
            f[14] = 0x45;
            f[23] = (byte) protocol;
            System.arraycopy(s, 0, f, 26, 4);
            System.arraycopy(d, 0, f, 30, 4);
        }
        f[l4] = (byte) (srcPort >>> 8);
        f[l4 + 1] = (byte) srcPort;
        f[l4 + 2] = (byte) (dstPort >>> 8);
        f[l4 + 3] = (byte) dstPort;
        return f;
    }
}
