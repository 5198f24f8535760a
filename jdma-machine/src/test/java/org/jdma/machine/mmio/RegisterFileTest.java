package org.jdma.machine.mmio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegisterFileTest {

    private final RegisterFile file = new RegisterFile("dev0");
    private final Register ctrl = file.add(new Register("CTRL", 0x00, 4, RegisterAccess.RW, 0x0000_FF0FL, 0x0000_0103L));
    private final Register status = file.add(Register.of("STATUS", 0x04, 4, RegisterAccess.RW1C, 0xFF));
    private final Register version = file.add(new Register("VERSION", 0x08, 4, RegisterAccess.RO, 0xFFFF_FFFFL, 0x0001_0002L));
    private final Register events = file.add(Register.of("EVENTS", 0x0C, 4, RegisterAccess.RC, 0xFFFF_FFFFL));
    private final Register doorbell = file.add(Register.of("DOORBELL", 0x10, 4, RegisterAccess.WO, 0xFFFF_FFFFL));
    private final Register base = file.add(Register.of("BASE", 0x18, 8, RegisterAccess.RW, -1L));

    @Test
    void shouldStartAtResetValuesWithReservedBitsClear() {
        assertEquals(0x103, file.read(0x00, 4));
        assertEquals(0x0001_0002L, file.read(0x08, 4));
        // A reset value with bits outside the mask keeps only the bits that exist.
        var r = new Register("R", 0, 4, RegisterAccess.RW, 0xF0, 0xFF);
        assertEquals(0xF0, r.reset());
        assertEquals(0xFFFF_FFFFL, new Register("W", 0, 4, RegisterAccess.RW, -1L, 0).mask(), "a 4-byte register has 32 bits");
    }

    @Test
    void shouldReadAndWriteReadWriteRegistersKeepingReservedBitsZero() {
        file.write(0x00, 4, 0xFFFF_FFFFL);
        assertEquals(0xFF0F, file.read(0x00, 4));
        assertEquals(0xFF0F, file.get(ctrl));
        file.write(0x00, 4, 0);
        assertEquals(0, file.read(0x00, 4));
        file.set(ctrl, 0xFFFF_FFFFL);
        assertEquals(0xFF0F, file.get(ctrl), "device-side set keeps reserved bits zero too");
    }

    @Test
    void shouldReachARegisterThroughItsSlotAsThroughTheRegister() {
        int slot = file.slotOf(ctrl);
        file.set(slot, 0xFFFF_FFFFL);
        assertEquals(0xFF0F, file.get(ctrl), "a set by slot keeps reserved bits zero");
        assertEquals(0xFF0F, file.get(slot));
        int counter = file.slotOf(events);
        file.add(counter, 0xFFFF_FFFFL);
        file.add(counter, 2);
        assertEquals(1, file.read(0x0C, 4), "an add by slot wraps at the register's width; the read clears it");
        assertEquals(0, file.get(counter));
        assertThrows(IllegalArgumentException.class, () -> file.slotOf(Register.of("ELSEWHERE", 0x40, 4, RegisterAccess.RW, -1L)));
        assertThrows(IllegalArgumentException.class, () -> file.slotOf(Register.of("CTRL", 0x00, 4, RegisterAccess.RW, 0xFF)),
                "another register at a known offset is not this file's");
    }

    @Test
    void shouldIgnoreSoftwareWritesToReadOnlyRegistersButLetTheDeviceSetThem() {
        file.write(0x08, 4, 0xDEAD_BEEFL);
        assertEquals(0x0001_0002L, file.read(0x08, 4));
        file.set(version, 0x0003_0004L);
        assertEquals(0x0003_0004L, file.read(0x08, 4));
    }

    @Test
    void shouldClearOnlyTheBitsWrittenAsOneInWriteOneToClearRegisters() {
        file.set(status, 0b1011_0110);
        file.write(0x04, 4, 0b0000_0110);
        assertEquals(0b1011_0000, file.read(0x04, 4));
        file.write(0x04, 4, 0);
        assertEquals(0b1011_0000, file.read(0x04, 4), "writing zeros changes nothing");
        file.write(0x04, 4, 0xFFFF_FF00L);
        assertEquals(0b1011_0000, file.read(0x04, 4), "ones in reserved bits clear nothing");
        file.write(0x04, 1, 0xFF);
        assertEquals(0, file.read(0x04, 4));
    }

    @Test
    void shouldClearReadClearRegistersOnRead() {
        file.set(events, 5);
        assertEquals(5, file.read(0x0C, 4));
        assertEquals(0, file.read(0x0C, 4));
        file.set(events, 7);
        file.write(0x0C, 4, 0xFFFF_FFFFL);
        assertEquals(7, file.get(events), "software cannot write a read-clear register");
    }

    @Test
    void shouldReadZeroFromWriteOnlyRegistersButKeepTheValue() {
        file.write(0x10, 4, 0x1234);
        assertEquals(0, file.read(0x10, 4));
        assertEquals(0x1234, file.get(doorbell));
    }

    @Test
    void shouldReadAndWritePartialWidthsLittleEndian() {
        file.write(0x18, 8, 0x1122_3344_5566_7788L);
        assertEquals(0x5566_7788L, file.read(0x18, 4));
        assertEquals(0x1122_3344L, file.read(0x1C, 4));
        assertEquals(0x7788, file.read(0x18, 2));
        assertEquals(0x11, file.read(0x1F, 1));
        assertEquals(0x3344_5566L, file.read(0x1A, 4), "an unaligned sub-register read returns the matching bytes");
        file.write(0x1A, 2, 0xFFFF_AAAAL);   // only the two written bytes change
        assertEquals(0x1122_3344_AAAA_7788L, file.get(base));
        file.write(0x1C, 4, 0xCAFE_F00DL);
        assertEquals(0xCAFE_F00D_AAAA_7788L, file.read(0x18, 8));
        file.write(0x01, 1, 0xFF);   // CTRL byte 1: bits 8..15, all exist
        assertEquals(0xFF03, file.read(0x00, 4));
    }

    @Test
    void shouldCountAccessesNoRegisterClaims() {
        assertEquals(0, file.read(0x14, 4), "a gap between registers");
        file.write(0x14, 4, 1);
        assertEquals(0, file.read(0x100, 4), "past the last register");
        assertEquals(0, file.read(0x00, 8), "wider than the register");
        assertEquals(0, file.read(0x02, 4), "runs past the register end");
        assertEquals(0, file.read(0x00, 3), "not an access size");
        assertEquals(0, file.read(-4, 4));
        assertEquals(0, file.read(1L << 40, 4));
        file.write(0x00, 8, -1L);
        assertEquals(0x103, file.get(ctrl), "a rejected write changes nothing");
        assertEquals(9, file.unclaimedAccesses());
    }

    @Test
    void shouldRunWriteHooksAfterTheWriteWithTheHeldAndWrittenValues() {
        List<String> calls = new ArrayList<>();
        file.onWrite(status, (r, now, written) -> calls.add(r.name() + " now=" + now + " written=" + written
                + " stored=" + file.get(r)));
        file.set(status, 0xF0);
        file.write(0x04, 4, 0x30);
        assertEquals(List.of("STATUS now=192 written=48 stored=192"), calls);
        file.onWrite(base, (r, now, written) -> calls.add("BASE now=" + Long.toHexString(now) + " written=" + Long.toHexString(written)));
        file.write(0x1C, 4, 0xAB);
        assertEquals("BASE now=ab00000000 written=ab00000000", calls.get(1), "partial writes report bits in register position");
        file.read(0x04, 4);
        assertEquals(2, calls.size(), "reads do not run write hooks");
    }

    @Test
    void shouldComputeValuesWithReadHooksMasked() {
        long[] counter = {0};
        file.onRead(ctrl, (r, stored) -> ++counter[0] << 12 | 0xF0 | 1L << 16);
        assertEquals(0x1000, file.read(0x00, 4), "the hook's value, masked: bits 4..7 and 16.. do not exist");
        assertEquals(0x2000, file.read(0x00, 4));
        assertEquals(0x103, file.get(ctrl), "a read hook does not change the stored value");
        file.onRead(events, (r, stored) -> 0x55);
        assertEquals(0x55, file.read(0x0C, 4));
        assertEquals(0, file.get(events), "a read-clear register clears even when its value is computed");
        file.onRead(doorbell, (r, stored) -> 0x99);
        assertEquals(0, file.read(0x10, 4), "write-only reads as zero whatever the hook says");
    }

    @Test
    void shouldResetEveryRegister() {
        file.write(0x00, 4, 0);
        file.write(0x18, 8, 77);
        file.set(version, 9);
        file.reset();
        assertEquals(0x103, file.get(ctrl));
        assertEquals(0, file.get(base));
        assertEquals(0x0001_0002L, file.get(version));
    }

    @Test
    void shouldRejectOverlappingOrMalformedRegisters() {
        var e = assertThrows(IllegalArgumentException.class, () -> file.add(Register.of("X", 0x1C, 4, RegisterAccess.RW, -1L)));
        assertTrue(e.getMessage().contains("X") && e.getMessage().contains("BASE") && e.getMessage().contains("dev0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Register.of("W2", 0x20, 2, RegisterAccess.RW, -1L));
        var mis = assertThrows(IllegalArgumentException.class, () -> Register.of("M", 0x24, 8, RegisterAccess.RW, -1L));
        assertTrue(mis.getMessage().contains("M") && mis.getMessage().contains("36"), mis.getMessage());
        assertEquals(List.of("CTRL", "STATUS", "VERSION", "EVENTS", "DOORBELL", "BASE"),
                file.registers().stream().map(Register::name).toList());
        assertEquals("dev0", file.name());
    }

    @Test
    void shouldRejectDeviceSideUseOfARegisterThatIsNotInTheFile() {
        Register stranger = Register.of("STRANGER", 0x20, 4, RegisterAccess.RW, 0xFF);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> file.get(stranger));
        assertTrue(e.getMessage().contains("STRANGER") && e.getMessage().contains("dev0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> file.set(stranger, 1));
        assertThrows(IllegalArgumentException.class, () -> file.onWrite(stranger, (r, v, w) -> { }));
        Register lookalike = Register.of("CTRL2", 0x00, 4, RegisterAccess.RW, 0xFF);
        assertThrows(IllegalArgumentException.class, () -> file.get(lookalike), "same offset, different register");
        assertEquals(0x103, file.get(new Register("CTRL", 0x00, 4, RegisterAccess.RW, 0x0000_FF0FL, 0x0000_0103L)),
                "an equal register value names the same register");
    }
}
