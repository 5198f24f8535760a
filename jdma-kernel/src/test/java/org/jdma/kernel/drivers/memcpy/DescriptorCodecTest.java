package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jdma.spec.memcpy.CompletionRecordLayout;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.spec.memcpy.CopyDescriptorLayout;
import org.jdma.spec.memcpy.Opcode;
import org.junit.jupiter.api.Test;

class DescriptorCodecTest {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment seg = MemorySegment.ofArray(new byte[128]);

    @Test
    void shouldEncodeMemmoveAtTheDatasheetOffsets() {
        seg.fill((byte) 0xEE);
        DescriptorCodec.encode(seg, 64, Descriptor.memmove(0x1122_3344_5566L, 0x7788_99AAL, 0x1234), 0xC0DE_0020L, 3);
        assertEquals(0, seg.get(LE_INT, 64 + CopyDescriptorLayout.PASID_PRIV));
        int flagsOpcode = seg.get(LE_INT, 64 + CopyDescriptorLayout.FLAGS_OPCODE);
        assertEquals(Opcode.MEMMOVE.code(), flagsOpcode >>> CopyDescriptorLayout.OPCODE_SHIFT);
        assertEquals(CopyDescriptorLayout.FLAG_CRAV | CopyDescriptorLayout.FLAG_RCR, flagsOpcode & CopyDescriptorLayout.FLAGS_MASK);
        assertEquals(0xC0DE_0020L, seg.get(LE_LONG, 64 + CopyDescriptorLayout.COMPLETION_ADDR));
        assertEquals(0x1122_3344_5566L, seg.get(LE_LONG, 64 + CopyDescriptorLayout.SRC_ADDR));
        assertEquals(0x7788_99AAL, seg.get(LE_LONG, 64 + CopyDescriptorLayout.DST_ADDR));
        assertEquals(0x1234, seg.get(LE_INT, 64 + CopyDescriptorLayout.XFER_SIZE));
        assertEquals(0, seg.get(LE_INT, 64 + CopyDescriptorLayout.INT_HANDLE), "no interrupt asked, handle and reserved zero");
        for (int i = CopyDescriptorLayout.OP_SPECIFIC; i < CopyDescriptorLayout.SIZE; i++) {
            assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, 64 + i), "reserved byte " + i);
        }
        assertEquals((byte) 0xEE, seg.get(ValueLayout.JAVA_BYTE, 63), "bytes before the descriptor untouched");
    }

    @Test
    void shouldPutTheFillPatternInTheSourceFieldAndTheBufferInDestination() {
        DescriptorCodec.encode(seg, 0, Descriptor.memfill(0x4000, 4096, 0x0102_0304_0506_0708L), 0x20, 0);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(seg, 0);
        assertEquals(Opcode.MEMFILL.code(), e.opcode());
        assertEquals(0x0102_0304_0506_0708L, e.sourceOrPattern());
        assertEquals(0x4000, e.destination());
        assertEquals(4096, e.transferSize());
    }

    @Test
    void shouldPutTheSecondCompareSourceInTheDestinationField() {
        DescriptorCodec.encode(seg, 0, Descriptor.compare(0x1000, 0x9000, 77), 0x20, 0);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(seg, 0);
        assertEquals(Opcode.COMPARE.code(), e.opcode());
        assertEquals(0x1000, e.sourceOrPattern());
        assertEquals(0x9000, e.destination());
    }

    @Test
    void shouldAskForAnInterruptWithTheGivenHandle() {
        Descriptor d = Descriptor.memmove(0x1000, 0x2000, 8);
        DescriptorCodec.encode(seg, 0, d.withFlags(d.flags() | Descriptor.INTERRUPT), 0x40, 5);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(seg, 0);
        assertTrue(e.hasFlag(CopyDescriptorLayout.FLAG_RCI));
        assertEquals(5, e.interruptHandle());
    }

    @Test
    void shouldEncodeADescriptorWithoutValidAsABareNoop() {
        DescriptorCodec.encode(seg, 0, Descriptor.memmove(0x1000, 0x2000, 8).withFlags(0), 0x40, 0);
        DescriptorCodec.Encoded e = DescriptorCodec.decode(seg, 0);
        assertEquals(Opcode.NOOP.code(), e.opcode());
        assertEquals(0, e.sourceOrPattern());
        assertEquals(0, e.destination());
        assertEquals(0, e.transferSize());
        assertEquals(0x40, e.completionAddress(), "a NOOP still writes its completion record");
    }

    @Test
    void shouldRejectALengthThatDoesNotFitTheSizeField() {
        var ex = assertThrows(IllegalArgumentException.class,
                () -> DescriptorCodec.encode(seg, 0, Descriptor.memmove(0, 0x1000, 1L << 32), 0x40, 0));
        assertTrue(ex.getMessage().contains("0x20"), ex.getMessage());
    }

    @Test
    void shouldDecodeACompletionRecord() {
        DescriptorCodec.encodeCompletionFields(seg, 32, 1, 0xFFFF_FFF0L, 0xDEAD_B000L);
        seg.set(ValueLayout.JAVA_BYTE, 32 + CompletionRecordLayout.STATUS, (byte) (0x80 | CompletionStatus.PAGE_FAULT_NOBOF.code()));
        DescriptorCodec.Completion c = DescriptorCodec.decodeCompletion(seg, 32);
        assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, c.status());
        assertEquals(0x80 | CompletionStatus.PAGE_FAULT_NOBOF.code(), c.statusByte());
        assertEquals(1, c.result());
        assertEquals(0xFFFF_FFF0L, c.bytesCompleted());
        assertEquals(0xDEAD_B000L, c.faultAddress());
    }

    @Test
    void shouldEncodeAChainLinkWithItsNextAddressOrLastAndNoRecordOfItsOwn() {
        MemorySegment seg = MemorySegment.ofArray(new byte[2 * CopyDescriptorLayout.SIZE]);
        Descriptor move = Descriptor.memmove(0x1000, 0x2000, 64).withFlags(Descriptor.VALID | Descriptor.INTERRUPT);
        DescriptorCodec.encodeLink(seg, 0, move, 0xABC0);
        DescriptorCodec.encodeLink(seg, 64, Descriptor.memfill(0x3000, 8, 7), -1);
        DescriptorCodec.Encoded first = DescriptorCodec.decode(seg, 0);
        assertEquals(Opcode.MEMMOVE.code(), first.opcode());
        assertEquals(0, first.deviceFlags(), "no CRAV, RCR, RCI or LAST");
        assertEquals(0, first.completionAddress());
        assertEquals(0x1000, first.sourceOrPattern());
        assertEquals(0x2000, first.destination());
        assertEquals(0xABC0, seg.get(LE_LONG, CopyDescriptorLayout.NEXT_LINK));
        DescriptorCodec.Encoded second = DescriptorCodec.decode(seg, 64);
        assertEquals(CopyDescriptorLayout.FLAG_LINK_LAST, second.deviceFlags());
        assertEquals(0, seg.get(LE_LONG, 64 + CopyDescriptorLayout.NEXT_LINK));
        assertThrows(IllegalArgumentException.class, () -> DescriptorCodec.encodeLink(seg, 0, Descriptor.drain(), -1));
    }

    @Test
    void shouldEncodeChainAndDrainHeads() {
        MemorySegment seg = MemorySegment.ofArray(new byte[CopyDescriptorLayout.SIZE]);
        DescriptorCodec.encode(seg, 0, Descriptor.chain(0x4_0000), 0x9000, 0);
        DescriptorCodec.Encoded chain = DescriptorCodec.decode(seg, 0);
        assertEquals(Opcode.CHAIN.code(), chain.opcode());
        assertEquals(0x4_0000, seg.get(LE_LONG, CopyDescriptorLayout.FIRST_LINK));
        assertEquals(0, chain.transferSize());
        DescriptorCodec.encode(seg, 0, Descriptor.drain(), 0x9000, 0);
        assertEquals(Opcode.DRAIN.code(), DescriptorCodec.decode(seg, 0).opcode());
        assertEquals(0x9000, DescriptorCodec.decode(seg, 0).completionAddress());
    }
}
