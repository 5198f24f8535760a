package org.jdma.machine.dev.ixgbe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.jdma.spec.ixgbe.AdvancedRxDescriptorLayout;
import org.jdma.spec.ixgbe.AdvancedTxDescriptorLayout;
import org.jdma.spec.ixgbe.IvarLayout;
import org.jdma.spec.ixgbe.IxgbeRegisters;
import org.junit.jupiter.api.Test;

/**
 * The 82599 datasheet classes against the values Linux's {@code ixgbe_type.h} and ixy use, and
 * descriptors laid out at their byte offsets.
 */
class IxgbeLayoutTest {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void shouldPlacePerQueueRegistersAtTheDatasheetStrides() {
        assertEquals(0x01000, IxgbeRegisters.rdbal(0));
        assertEquals(0x01044, IxgbeRegisters.rdbah(1));
        assertEquals(0x010C8, IxgbeRegisters.rdlen(3));
        assertEquals(0x01FD0, IxgbeRegisters.rdh(63));
        assertEquals(0x0D018, IxgbeRegisters.rdt(64), "queues 64..127 live in the second block");
        assertEquals(0x01068, IxgbeRegisters.rxdctl(1));
        assertEquals(0x0213C, IxgbeRegisters.srrctl(15));
        assertEquals(0x01414, IxgbeRegisters.srrctl(16), "SRRCTL 16..63 in the queue block");
        assertEquals(0x0223C, IxgbeRegisters.dcaRxctrl(15));
        assertEquals(0x06000, IxgbeRegisters.tdbal(0));
        assertEquals(0x060D8, IxgbeRegisters.tdt(3));
        assertEquals(0x06068, IxgbeRegisters.txdctl(1));
        assertEquals(0x0087C, IxgbeRegisters.eitr(23));
        assertEquals(0x12300, IxgbeRegisters.eitr(24));
        assertEquals(0x009FC, IxgbeRegisters.ivar(63));
        assertEquals(0x05478, IxgbeRegisters.ral(15));
        assertEquals(0x0A284, IxgbeRegisters.rah(16));
        assertEquals(0x03FBC, IxgbeRegisters.mpc(7));
        assertEquals(0x01430, IxgbeRegisters.qprdc(0));
        assertEquals(0x00AB4, IxgbeRegisters.eimcEx(1));
        assertThrows(IllegalArgumentException.class, () -> IxgbeRegisters.rdbal(128));
    }

    @Test
    void shouldNameTheRegistersIxyProgramsAtTheirOffsets() {
        assertEquals(0x00000, IxgbeRegisters.CTRL);
        assertEquals(0x04000008, IxgbeRegisters.CTRL_RST | IxgbeRegisters.CTRL_LNK_RST, "ixy's reset value");
        assertEquals(0x10010, IxgbeRegisters.EEC);
        assertEquals(0x200, IxgbeRegisters.EEC_ARD);
        assertEquals(0x02F00, IxgbeRegisters.RDRXCTL);
        assertEquals(0x8, IxgbeRegisters.RDRXCTL_DMAIDONE);
        assertEquals(0x042A4, IxgbeRegisters.LINKS);
        assertEquals(0x40000000, IxgbeRegisters.LINKS_UP);
        assertEquals(0x30000000, IxgbeRegisters.LINKS_SPEED_10G);
        assertEquals(0x05080, IxgbeRegisters.FCTRL);
        assertEquals(0x400, IxgbeRegisters.FCTRL_BAM);
        assertEquals(0x02000000, IxgbeRegisters.SRRCTL_DESCTYPE_ADV_ONEBUF);
        assertEquals(0x10000000, IxgbeRegisters.SRRCTL_DROP_EN);
        assertEquals(0x02000000, IxgbeRegisters.RXDCTL_ENABLE);
        assertEquals(0x04A80, IxgbeRegisters.DMATXCTL);
        assertEquals(0x00800, IxgbeRegisters.EICR);
        assertEquals(0x00898, IxgbeRegisters.GPIE);
        assertEquals(0x00100000, IxgbeRegisters.EICR_LSC);
        assertEquals(0x04074, IxgbeRegisters.GPRC);
        assertEquals(0x0408C, IxgbeRegisters.GORCH);
        assertEquals(0x8086, IxgbeRegisters.VENDOR_ID);
        assertEquals(0x10FB, IxgbeRegisters.DEVICE_ID);
        assertEquals(10_240, IxgbeRegisters.eitrIntervalNs(0x028), "ixy's default ITR 0x028: 5 steps of 2.048 us");
        assertEquals(1_046_528, IxgbeRegisters.eitrIntervalNs(0xFF8), "511 steps: the 956 interrupts/s floor");
        assertEquals(0, IxgbeRegisters.eitrIntervalNs(0x7), "bits 2:0 are not part of the interval");
    }

    @Test
    void shouldPackIvarEntriesAsLinuxDoes() {
        assertEquals(0, IvarLayout.shiftOf(0, false));
        assertEquals(8, IvarLayout.shiftOf(0, true));
        assertEquals(16, IvarLayout.shiftOf(1, false));
        assertEquals(24, IvarLayout.shiftOf(1, true));
        assertEquals(2, IvarLayout.registerOf(5));
        assertEquals(0x83, IvarLayout.entry(3));
        assertEquals(3, IvarLayout.vectorOf(0x83));
        assertEquals(-1, IvarLayout.vectorOf(0x03), "without INT_ALLOC_VAL the entry allocates nothing");
    }

    @Test
    void shouldLayOutTheRxWriteBackAtItsByteOffsets() {
        MemorySegment d = MemorySegment.ofArray(new byte[AdvancedRxDescriptorLayout.SIZE]);
        d.set(LE_INT, AdvancedRxDescriptorLayout.PKT_INFO, AdvancedRxDescriptorLayout.etqfPacketInfo(5));
        d.set(LE_INT, AdvancedRxDescriptorLayout.STATUS_ERROR, AdvancedRxDescriptorLayout.statusError(
                AdvancedRxDescriptorLayout.STAT_DD | AdvancedRxDescriptorLayout.STAT_EOP, AdvancedRxDescriptorLayout.ERR_RXE));
        d.set(LE_SHORT, AdvancedRxDescriptorLayout.LENGTH, (short) 60);
        d.set(LE_SHORT, AdvancedRxDescriptorLayout.VLAN, (short) 0x1234);
        assertEquals("50800000" + "00000000" + "03000020" + "3c003412", HexFormat.of().formatHex(d.toArray(ValueLayout.JAVA_BYTE)));
    }

    @Test
    void shouldKeepTheReadFormatsDdBitWhereTheHeaderAddressLives() {
        assertEquals(AdvancedRxDescriptorLayout.HDR_ADDR, AdvancedRxDescriptorLayout.STATUS_ERROR,
                "DD lands in bit 0 of the header address: software writes it 0");
        assertEquals(12, AdvancedRxDescriptorLayout.LENGTH);
    }

    @Test
    void shouldEncodeTheTxDataDescriptorAsIxyDoes() {
        int dcmd = AdvancedTxDescriptorLayout.DCMD_EOP | AdvancedTxDescriptorLayout.DCMD_RS | AdvancedTxDescriptorLayout.DCMD_IFCS;
        assertEquals(0x2B300000 | 60, AdvancedTxDescriptorLayout.dataCmdTypeLen(60, dcmd), "ixy: EOP|RS|IFCS|DEXT|DTYP_DATA|len");
        assertEquals(60 << 14, AdvancedTxDescriptorLayout.olinfo(60));
        assertTrue(AdvancedTxDescriptorLayout.isData(0x2B300000));
        assertFalse(AdvancedTxDescriptorLayout.isData(0x0B300000), "DEXT clear: a legacy descriptor");
        assertTrue(AdvancedTxDescriptorLayout.isContext(0x20200000));
        MemorySegment d = MemorySegment.ofArray(new byte[AdvancedTxDescriptorLayout.SIZE]);
        d.set(LE_LONG, AdvancedTxDescriptorLayout.BUFFER_ADDR, 0x1122334455667788L);
        d.set(LE_INT, AdvancedTxDescriptorLayout.CMD_TYPE_LEN, AdvancedTxDescriptorLayout.dataCmdTypeLen(60, dcmd));
        d.set(LE_INT, AdvancedTxDescriptorLayout.OLINFO_STATUS, AdvancedTxDescriptorLayout.olinfo(60));
        assertArrayEquals(HexFormat.of().parseHex("8877665544332211" + "3c00302b" + "00000f00"), d.toArray(ValueLayout.JAVA_BYTE));
    }
}
