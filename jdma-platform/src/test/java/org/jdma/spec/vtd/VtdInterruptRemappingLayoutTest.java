package org.jdma.spec.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The IRTE, the remappable request and the IEC descriptor at the bit offsets VT-d §9.10, §5.1.2 and §6.5.2.7 give. */
class VtdInterruptRemappingLayoutTest {

    @Test
    void shouldPlaceEveryIrteFieldAtItsBitOffset() {
        assertEquals(1L, VtdIrteLayout.LO_P);
        assertEquals(1L << 1, VtdIrteLayout.LO_FPD);
        assertEquals(1L << 2, VtdIrteLayout.LO_DM);
        assertEquals(1L << 3, VtdIrteLayout.LO_RH);
        assertEquals(1L << 4, VtdIrteLayout.LO_TM);
        assertEquals(0xE0L, VtdIrteLayout.LO_DLM_MASK);
        assertEquals(0xF00L, VtdIrteLayout.LO_AVAIL_MASK);
        assertEquals(1L << 15, VtdIrteLayout.LO_IM);
        assertEquals(0xFF_0000L, VtdIrteLayout.LO_VECTOR_MASK);
        assertEquals(0xFFFF_FFFF_0000_0000L, VtdIrteLayout.LO_DST_MASK);
        assertEquals(0xFFFFL, VtdIrteLayout.HI_SID_MASK);           // bits 79:64
        assertEquals(0x3L << 16, VtdIrteLayout.HI_SQ_MASK);         // bits 81:80
        assertEquals(0x3L << 18, VtdIrteLayout.HI_SVT_MASK);        // bits 83:82
        assertEquals(0xFFFF_FFFF_FFF0_0000L, VtdIrteLayout.HI_RESERVED); // bits 127:84
    }

    @Test
    void shouldEncodeAnEntryAsLinuxPrepareIrteDoes() {
        long lo = VtdIrteLayout.lo(0x41, 3, false);
        // P, vector 0x41 in 23:16, APIC id 3 in DST 15:8 (IRTE bits 47:40), fixed, physical, edge.
        assertEquals(0x0000_0300_0041_0001L, lo);
        assertEquals(3, VtdIrteLayout.xapicDestination(lo));
        assertEquals(0x41, VtdIrteLayout.vector(lo));
        assertEquals(0, lo & VtdIrteLayout.LO_RESERVED_XAPIC);
        long hi = VtdIrteLayout.hi(0x0020, 1, VtdIrteLayout.SVT_REQUESTER_ID);
        assertEquals(0x5_0020L, hi);
        assertEquals(0x0104, VtdIrteLayout.busRange(1, 4));
    }

    @Test
    void shouldMaskTheRequesterIdAsTheSourceQualifierSays() {
        long exact = VtdIrteLayout.hi(0x0020, 0, VtdIrteLayout.SVT_REQUESTER_ID);
        assertTrue(VtdIrteLayout.sourceValid(exact, 0x0020));
        assertFalse(VtdIrteLayout.sourceValid(exact, 0x0021));
        long anyFunction = VtdIrteLayout.hi(0x0020, 3, VtdIrteLayout.SVT_REQUESTER_ID);
        assertTrue(VtdIrteLayout.sourceValid(anyFunction, 0x0027));
        assertFalse(VtdIrteLayout.sourceValid(anyFunction, 0x0028));
        long buses = VtdIrteLayout.hi(VtdIrteLayout.busRange(2, 4), 0, VtdIrteLayout.SVT_BUS_RANGE);
        assertTrue(VtdIrteLayout.sourceValid(buses, 0x0300));
        assertFalse(VtdIrteLayout.sourceValid(buses, 0x0100));
        assertFalse(VtdIrteLayout.sourceValid(VtdIrteLayout.hi(0x20, 0, VtdIrteLayout.SVT_RESERVED), 0x20));
    }

    @Test
    void shouldCarryTheHandleInAddressBits19To5AndBit2() {
        long a = VtdInterruptRequestLayout.address(0x8001, true);
        assertEquals(0xFEE0_0000L | 1 << 5 | 1 << 4 | 1 << 3 | 1 << 2, a);
        assertEquals(0x8001, VtdInterruptRequestLayout.handle(a));
        assertTrue(VtdInterruptRequestLayout.remappable(a));
        assertEquals(0x8001 + 3, VtdInterruptRequestLayout.index(a, 3));
        assertEquals(0x8001, VtdInterruptRequestLayout.index(VtdInterruptRequestLayout.address(0x8001, false), 3),
                "the sub-handle counts only with SHV");
    }

    @Test
    void shouldEncodeTheIecDescriptor() {
        assertEquals(0x4L, VtdInvalidationDescriptorLayout.iecGlobal());
        long lo = VtdInvalidationDescriptorLayout.iecIndex(0x1234, 3);
        assertEquals(0x1234L << 32 | 3L << 27 | 1 << 4 | 4, lo);
        assertEquals(0x1234, VtdInvalidationDescriptorLayout.iecIndex(lo));
        assertEquals(3, VtdInvalidationDescriptorLayout.iecMask(lo));
        assertEquals(VtdInvalidationDescriptorLayout.TYPE_INTERRUPT_ENTRY_CACHE, VtdInvalidationDescriptorLayout.type(lo));
        assertEquals(0, lo & VtdInvalidationDescriptorLayout.IEC_LO_RESERVED);
    }

    @Test
    void shouldNameTheInterruptRemappingRegistersAndFaults() {
        assertEquals(0xB8, VtdRegisterLayout.IRTA);
        assertEquals(65536, VtdRegisterLayout.irtEntries(15));
        assertEquals(2, VtdRegisterLayout.irtEntries(0));
        assertEquals(1 << 11, VtdRegisterLayout.IRTA_EIME);
        assertEquals(1 << 25 | 1 << 24 | 1 << 23, VtdRegisterLayout.GCMD_IR_BITS);
        for (int code = 0x20; code <= 0x27; code++) {
            assertTrue(VtdFaultReason.ofCode(code).orElseThrow().interruptRemapping());
        }
        assertFalse(VtdFaultReason.INTERRUPT_ADDRESS.interruptRemapping());
        assertEquals(0x1234, VtdFaultRecordLayout.interruptIndex(VtdFaultRecordLayout.loInterrupt(0x1234)));
    }
}
