package org.jdma.machine.dev.ixgbe;

/**
 * Options of one 82599 port: its size, its identity and its named timings.
 *
 * @param queues           receive and transmit queues each, 1..{@link #MAX_QUEUES} (their
 *                         registers exist; the others read 0)
 * @param macAddress       the station address the EEPROM holds, loaded into RAL[0]/RAH[0] at every
 *                         reset, 48 bits (byte 0 of the address in bits 47:40)
 * @param lanId            which port of the controller this function is, 0 or 1 (STATUS.LAN_ID)
 * @param resetSettleNs    time from a write of CTRL.RST (or LNK_RST) until the bits self-clear and
 *                         the port accepts register writes again, ns
 * @param eepromReadNs     time from the end of a reset until EEC.ARD (EEPROM auto-read done), ns
 * @param linkUpNs         time from the end of a reset (or AUTOC.AN_RESTART) until the link is
 *                         trained and LINKS.LINK_UP reads 1, if a link is attached and up, ns
 */
public record IxgbeConfig(int queues, long macAddress, int lanId, long resetSettleNs, long eepromReadNs, long linkUpNs) {

    /** The most queues per direction this model gives a port (the per-queue statistics registers cover 16). */
    public static final int MAX_QUEUES = 16;

    /** 4 queues, MAC 02:00:00:00:82:99 (locally administered), LAN 0, reset 1 ms, EEPROM 2 ms, link 10 ms. */
    public static final IxgbeConfig DEFAULT = new IxgbeConfig(4, 0x02_00_00_00_82_99L, 0, 1_000_000, 2_000_000, 10_000_000);

    public IxgbeConfig {
        if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException("queues must be 1.." + MAX_QUEUES + ", was " + queues);
        }
        if ((macAddress & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException(String.format("macAddress %#x has more than 48 bits", macAddress));
        }
        if ((macAddress >>> 40 & 1) != 0) {
            throw new IllegalArgumentException(String.format("macAddress %#014x is a group address (bit 0 of byte 0 set)", macAddress));
        }
        if (lanId < 0 || lanId > 1) {
            throw new IllegalArgumentException("lanId must be 0 or 1, was " + lanId);
        }
        if (resetSettleNs < 0 || eepromReadNs < 0 || linkUpNs < 0) {
            throw new IllegalArgumentException(String.format("timings must be >= 0 ns: reset %d, eeprom %d, link %d",
                    resetSettleNs, eepromReadNs, linkUpNs));
        }
    }

    public IxgbeConfig withQueues(int n) {
        return new IxgbeConfig(n, macAddress, lanId, resetSettleNs, eepromReadNs, linkUpNs);
    }

    public IxgbeConfig withMacAddress(long mac) {
        return new IxgbeConfig(queues, mac, lanId, resetSettleNs, eepromReadNs, linkUpNs);
    }

    public IxgbeConfig withLanId(int id) {
        return new IxgbeConfig(queues, macAddress, id, resetSettleNs, eepromReadNs, linkUpNs);
    }

    public IxgbeConfig withLinkUpNs(long ns) {
        return new IxgbeConfig(queues, macAddress, lanId, resetSettleNs, eepromReadNs, ns);
    }

    public IxgbeConfig withResetSettleNs(long ns) {
        return new IxgbeConfig(queues, macAddress, lanId, ns, eepromReadNs, linkUpNs);
    }

    /** The address as the six bytes a frame carries. */
    public byte[] macBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (macAddress >>> (40 - 8 * i));
        }
        return b;
    }
}
