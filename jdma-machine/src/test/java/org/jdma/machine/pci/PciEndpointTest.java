package org.jdma.machine.pci;

import static org.jdma.spec.pci.PciConfigLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.bus.FaultReason;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.MsiCapabilityLayout;
import org.jdma.spec.pci.MsixCapabilityLayout;
import org.jdma.spec.pci.MsixTableLayout;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A PCI endpoint's configuration space, BARs, capabilities, MSI-X, MSI and bus-master gating, as
 * PCI Local Bus Specification 3.0 §6.1-§6.8 says, reached the way an OS reaches them: configuration
 * cycles through ECAM, registers through the BARs, all by CPU loads and stores.
 */
class PciEndpointTest {

    static final long MiB = 1L << 20;
    static final RequesterId SLOT = RequesterId.of(0, 6, 0);

    private final Machine m = new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64 * MiB)))
            .withDevices(List.of(TestEndpoint.spec("test0", SLOT))));
    private final TestEndpoint dev = (TestEndpoint) m.device("test0");
    private final long cfg = m.config().pci().ecamBase() + EcamLayout.offset(SLOT, 0);
    private final List<Integer> dispatched = new ArrayList<>();

    @AfterEach
    void close() {
        m.close();
    }

    int r8(int off) { return m.cpu().read8(cfg + off) & 0xFF; }
    int r16(int off) { return m.cpu().read16(cfg + off) & 0xFFFF; }
    long r32(int off) { return m.cpu().read32(cfg + off) & 0xFFFF_FFFFL; }
    void w8(int off, int v) { m.cpu().write8(cfg + off, v); }
    void w16(int off, int v) { m.cpu().write16(cfg + off, v); }
    void w32(int off, long v) { m.cpu().write32(cfg + off, (int) v); }

    /** Writes all ones, then all zeros, to a field and returns {after ones, after zeros}. */
    long[] probe(int off, int size) {
        long ones = size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1;
        write(off, size, ones);
        long a = read(off, size);
        write(off, size, 0);
        return new long[] {a, read(off, size)};
    }

    long read(int off, int size) {
        return switch (size) { case 1 -> r8(off); case 2 -> r16(off); default -> r32(off); };
    }

    void write(int off, int size, long v) {
        switch (size) {
            case 1 -> w8(off, (int) v);
            case 2 -> w16(off, (int) v);
            default -> w32(off, v);
        }
    }

    @Test
    void shouldPresentTheType0HeaderRowByRowWithItsAccessKinds() {
        // Read-only identity: writes change nothing.
        for (int[] row : new int[][] {{VENDOR_ID, 2, TestEndpoint.VENDOR}, {DEVICE_ID, 2, TestEndpoint.DEVICE}, {REVISION_ID, 1, 2},
                {CLASS_CODE + 2, 1, TestEndpoint.CLASS >>> 16}, {HEADER_TYPE, 1, 0}, {BIST, 1, 0}, {LATENCY_TIMER, 1, 0},
                {SUBSYSTEM_VENDOR_ID, 2, 0x1AF4}, {SUBSYSTEM_ID, 2, 0x1100}, {INTERRUPT_PIN, 1, 0}, {CARDBUS_CIS, 4, 0},
                {EXPANSION_ROM_TYPE0, 4, 0}, {0x38, 4, 0}, {MIN_GNT, 1, 0}, {MAX_LAT, 1, 0}}) {
            assertEquals(row[2], read(row[0], row[1]), "reset value at " + Integer.toHexString(row[0]));
            long[] after = probe(row[0], row[1]);
            assertEquals(row[2], after[0], "RO at " + Integer.toHexString(row[0]));
            assertEquals(row[2], after[1], "RO at " + Integer.toHexString(row[0]));
        }
        // Read-write storage for software.
        assertEquals(0xFF, probe(CACHE_LINE_SIZE, 1)[0]);
        assertEquals(0xFF, probe(INTERRUPT_LINE, 1)[0]);
        // Command: only the implemented bits are writable; I/O Space (no I/O BARs) and the PCI-only bits read 0.
        assertEquals(COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER | COMMAND_PARITY_ERROR_RESPONSE | COMMAND_SERR_ENABLE
                | COMMAND_INTX_DISABLE, probe(COMMAND, 2)[0]);
        // Capabilities pointer: RO, DWORD aligned, at the first capability.
        assertEquals(FIRST_CAPABILITY, r8(CAPABILITIES_POINTER));
        // Unimplemented BARs (1 and the upper half of BAR2 aside) read 0 whatever is written.
        assertEquals(0, probe(bar(1), 4)[0]);
        assertEquals(0, probe(bar(4), 4)[0]);
        assertEquals(0, probe(bar(5), 4)[0]);
        // Beyond the capability list and in extended configuration space: reserved, reads 0.
        assertEquals(0, probe(0x100, 4)[0]);
        assertEquals(0, probe(0xFFC, 4)[0]);
    }

    @Test
    void shouldClearStatusErrorBitsOnlyWhenSoftwareWritesOne() {
        assertEquals(STATUS_CAPABILITIES_LIST, r16(STATUS), "capability list, nothing else after reset");
        dev.sawMasterAbort();
        assertEquals(STATUS_CAPABILITIES_LIST | STATUS_RECEIVED_MASTER_ABORT, r16(STATUS));
        w16(STATUS, 0);
        assertEquals(STATUS_CAPABILITIES_LIST | STATUS_RECEIVED_MASTER_ABORT, r16(STATUS), "writing 0 keeps an RW1C bit");
        w16(STATUS, STATUS_SIGNALED_TARGET_ABORT | STATUS_CAPABILITIES_LIST);
        assertEquals(STATUS_CAPABILITIES_LIST | STATUS_RECEIVED_MASTER_ABORT, r16(STATUS), "1s elsewhere clear nothing else");
        w16(STATUS, 0xFFFF);
        assertEquals(STATUS_CAPABILITIES_LIST, r16(STATUS), "writing 1 clears it; Capabilities List is RO");
    }

    @Test
    void shouldSizeA32BitBarAndA64BitBarWithTheAllOnesProtocol() {
        w16(COMMAND, 0); // decoding off while sizing
        long bar0 = r32(bar(0));
        w32(bar(0), 0xFFFF_FFFFL);
        assertEquals(~(TestEndpoint.BAR0_SIZE - 1) & 0xFFFF_FFFFL, r32(bar(0)), "32-bit, non-prefetchable: low bits 0000");
        w32(bar(0), bar0);

        long lo = r32(bar(2));
        long hi = r32(bar(3));
        assertEquals(BAR_MEMORY_TYPE_64 | BAR_PREFETCHABLE, lo & BAR_MEMORY_FLAGS_MASK, "type 10b, prefetchable");
        w32(bar(2), 0xFFFF_FFFFL);
        w32(bar(3), 0xFFFF_FFFFL);
        long mask = (r32(bar(3)) << 32) | (r32(bar(2)) & ~(long) BAR_MEMORY_FLAGS_MASK);
        assertEquals(TestEndpoint.BAR2_SIZE, -mask, "size from both DWORDs");
        w32(bar(2), lo);
        w32(bar(3), hi);
        assertEquals(lo, r32(bar(2)));
    }

    @Test
    void shouldHaveBeenPlacedByFirmwareNaturallyAlignedWithMemorySpaceOnAndBusMasterOff() {
        long b0 = dev.barAddress(0);
        long b2 = dev.barAddress(2);
        assertEquals(0, b0 % TestEndpoint.BAR0_SIZE);
        assertEquals(0, b2 % TestEndpoint.BAR2_SIZE);
        assertTrue(r16(COMMAND) == COMMAND_MEMORY_SPACE, "firmware sets MSE only: " + r16(COMMAND));
        assertFalse(dev.port().busMasterEnabled());
        m.cpu().write64(b0, 0x1234);
        assertEquals(0x1234, m.cpu().read64(b0));
        assertEquals(0x42, m.cpu().read32(b2 + 0x42), "BAR2 answers with the offset");
    }

    @Test
    void shouldMoveTheWindowWithTheBarAndDecodeOnlyWhileMemorySpaceIsEnabled() {
        long old = dev.barAddress(0);
        long moved = 0xF800_0000L;
        w32(bar(0), moved);
        assertEquals(moved, dev.barAddress(0));
        m.cpu().write64(moved, 77);
        assertEquals(77, dev.scratch, "the new address decodes at once");
        long errors = m.cpu().busErrors();
        assertEquals(-1, m.cpu().read32(old), "nothing answers at the old address (master abort: all ones)");
        assertEquals(errors + 1, m.cpu().busErrors());

        w16(COMMAND, 0);
        assertEquals(-1, m.cpu().read32(moved), "Memory Space off: the BAR decodes nowhere");
        assertTrue(dev.barWindow(0).isEmpty());
        w16(COMMAND, COMMAND_MEMORY_SPACE);
        assertEquals(77, m.cpu().read64(moved));
    }

    @Test
    void shouldNotDecodeABarPlacedOverRamOrAnotherWindowAndCountTheConflict() {
        w32(bar(0), 0x10_0000); // RAM
        assertTrue(dev.barWindow(0).isEmpty());
        assertEquals(1, dev.barConflicts());
        w32(bar(0), MachineConfig.VTD_REGISTER_BASE);
        assertTrue(dev.barWindow(0).isEmpty());
        assertEquals(2, dev.barConflicts());
        assertEquals(0x10, m.cpu().read32(MachineConfig.VTD_REGISTER_BASE), "the VT-d unit still answers there");
        w32(bar(0), 0xF900_0000L);
        assertTrue(dev.barWindow(0).isPresent());
    }

    @Test
    void shouldLinkItsCapabilitiesIntoAListTheSpecsLayOut() {
        int msix = r8(CAPABILITIES_POINTER);
        assertEquals(MsixCapabilityLayout.ID, r8(msix + CAP_ID));
        int msi = r8(msix + CAP_NEXT);
        assertEquals(MsiCapabilityLayout.ID, r8(msi + CAP_ID));
        assertEquals(0, r8(msi + CAP_NEXT), "end of list");
        assertEquals(0, msi % 4, "DWORD aligned");
        assertTrue(msi >= msix + MsixCapabilityLayout.SIZE);
        assertEquals(List.of(msix, msi), dev.capabilityOffsets());
        assertEquals(TestEndpoint.MSIX_ENTRIES - 1, r16(msix + MsixCapabilityLayout.MESSAGE_CONTROL), "Table Size is N - 1, RO");
        assertEquals(TestEndpoint.MSIX_TABLE | 0, r32(msix + MsixCapabilityLayout.TABLE), "table offset, BIR 0");
        assertEquals(TestEndpoint.MSIX_PBA | 0, r32(msix + MsixCapabilityLayout.PBA));
        assertEquals(MsiCapabilityLayout.CONTROL_64BIT | MsiCapabilityLayout.CONTROL_PER_VECTOR_MASKING | 2 << MsiCapabilityLayout.CONTROL_MMC_SHIFT,
                r16(msi + MsiCapabilityLayout.MESSAGE_CONTROL), "64-bit, per-vector masking, 4 vectors capable");
        w32(msix + MsixCapabilityLayout.TABLE, 0);
        assertEquals(TestEndpoint.MSIX_TABLE, r32(msix + MsixCapabilityLayout.TABLE), "RO");
        assertEquals(MsixCapabilityLayout.CONTROL_ENABLE | MsixCapabilityLayout.CONTROL_FUNCTION_MASK | TestEndpoint.MSIX_ENTRIES - 1,
                probe(msix + MsixCapabilityLayout.MESSAGE_CONTROL, 2)[0], "only Enable and Function Mask are writable");
    }

    private int vector() {
        int v = m.interrupts().allocateVector();
        m.interrupts().register(v, dispatched::add);
        return v;
    }

    private void programMsix(int entry, MsiMessage msg, boolean masked) {
        long e = dev.barAddress(0) + TestEndpoint.MSIX_TABLE + (long) entry * MsixTableLayout.ENTRY_SIZE;
        m.cpu().write32(e + MsixTableLayout.ADDR_LO, (int) msg.address());
        m.cpu().write32(e + MsixTableLayout.ADDR_HI, (int) (msg.address() >>> 32));
        m.cpu().write32(e + MsixTableLayout.DATA, msg.data());
        m.cpu().write32(e + MsixTableLayout.VECTOR_CONTROL, masked ? MsixTableLayout.VECTOR_MASKED : 0);
    }

    @Test
    void shouldSendMsixOnlyWhenEnabledAndKeepItPendingWhileTheFunctionIsMasked() {
        int msix = dev.msixCapabilityOffset().orElseThrow();
        int control = msix + MsixCapabilityLayout.MESSAGE_CONTROL;
        w16(COMMAND, COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER);
        int v = vector();
        programMsix(1, m.interrupts().messageFor(v), false);
        assertFalse(dev.raise(1), "MSI-X Enable clear: nothing is sent");
        assertFalse(dev.msix().pending(1), "and nothing is pending");
        assertEquals(1, dev.interruptsSuppressed(), "neither MSI-X nor MSI is enabled: it would be INTx, not modelled");

        w16(control, MsixCapabilityLayout.CONTROL_ENABLE | MsixCapabilityLayout.CONTROL_FUNCTION_MASK);
        assertFalse(dev.raise(1));
        long pba = dev.barAddress(0) + TestEndpoint.MSIX_PBA;
        assertEquals(1 << 1, m.cpu().read64(pba), "Function Mask: the entry's Pending Bit, in the PBA");
        m.clock().runUntilIdle();
        assertEquals(List.of(), dispatched);

        w16(control, MsixCapabilityLayout.CONTROL_ENABLE);
        m.clock().runUntilIdle();
        assertEquals(List.of(v), dispatched, "clearing the Function Mask sends the pending message");
        assertEquals(0, m.cpu().read64(pba));
        assertTrue(dev.raise(1));
        m.clock().runUntilIdle();
        assertEquals(List.of(v, v), dispatched);
    }

    @Test
    void shouldRefuseDmaAndInterruptsWhileBusMasterEnableIsClear() {
        int msix = dev.msixCapabilityOffset().orElseThrow();
        w16(msix + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
        int v = vector();
        programMsix(0, m.interrupts().messageFor(v), false);
        DmaResult dma = dev.port().write(0x1000, MemorySegment.ofArray(new byte[8]), 0, 8);
        assertEquals(FaultReason.BUS_MASTER_DISABLED, dma.reason(), "BME is 0 after reset");
        dev.raise(0);
        m.clock().runUntilIdle();
        assertEquals(List.of(), dispatched, "no MSI either");
        assertEquals(1, dev.msix().sendFaults());

        w16(COMMAND, COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER);
        assertTrue(dev.port().write(0x1000, MemorySegment.ofArray(new byte[8]), 0, 8).isOk());
        dev.raise(0);
        m.clock().runUntilIdle();
        assertEquals(List.of(v), dispatched);
        w16(COMMAND, COMMAND_MEMORY_SPACE);
        assertFalse(dev.port().write(0x1000, MemorySegment.ofArray(new byte[8]), 0, 8).isOk(), "clearing BME gates again");
    }

    @Test
    void shouldSendMsiWithTheVectorInTheLowDataBitsAndHoldMaskedVectorsPending() {
        int msi = dev.msiCapabilityOffset().orElseThrow();
        w16(COMMAND, COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER);
        int base = m.interrupts().allocateVector();
        // Four consecutive vectors from an aligned base, as an OS allocates for multiple-message MSI.
        int first = (base + 4) & ~3;
        for (int v = first; v < first + 4; v++) {
            m.interrupts().register(v, dispatched::add);
        }
        MsiMessage msg = m.interrupts().messageFor(first);
        w32(msi + MsiCapabilityLayout.ADDRESS_LO, msg.address() | 3);
        assertEquals(msg.address() & 0xFFFF_FFFCL, r32(msi + MsiCapabilityLayout.ADDRESS_LO), "bits [1:0] read 0");
        w32(msi + MsiCapabilityLayout.ADDRESS_HI, 0);
        w16(msi + MsiCapabilityLayout.DATA, msg.data());
        w16(msi + MsiCapabilityLayout.MESSAGE_CONTROL, MsiCapabilityLayout.CONTROL_ENABLE | 2 << MsiCapabilityLayout.CONTROL_MME_SHIFT);
        assertEquals(2, (r16(msi + MsiCapabilityLayout.MESSAGE_CONTROL) & MsiCapabilityLayout.CONTROL_MME_MASK)
                >>> MsiCapabilityLayout.CONTROL_MME_SHIFT, "Multiple Message Enable reads back");
        assertTrue(dev.raise(2));
        m.clock().runUntilIdle();
        assertEquals(List.of(first + 2), dispatched);

        w32(msi + MsiCapabilityLayout.MASK_BITS, 1 << 3);
        assertEquals(1 << 3, r32(msi + MsiCapabilityLayout.MASK_BITS));
        assertEquals(0xF, probe(msi + MsiCapabilityLayout.MASK_BITS, 4)[0], "mask bits exist for the 4 vectors only");
        w32(msi + MsiCapabilityLayout.MASK_BITS, 1 << 3);
        assertFalse(dev.raise(3));
        assertEquals(1 << 3, r32(msi + MsiCapabilityLayout.PENDING_BITS));
        w32(msi + MsiCapabilityLayout.PENDING_BITS, 0);
        assertEquals(1 << 3, r32(msi + MsiCapabilityLayout.PENDING_BITS), "Pending Bits are RO");
        w32(msi + MsiCapabilityLayout.MASK_BITS, 0);
        m.clock().runUntilIdle();
        assertEquals(List.of(first + 2, first + 3), dispatched, "unmasking sends the pending vector");
        assertEquals(0, r32(msi + MsiCapabilityLayout.PENDING_BITS));
        assertEquals(2, dev.msiSent());
    }

    @Test
    void shouldReturnToResetValuesOnConventionalReset() {
        int msix = dev.msixCapabilityOffset().orElseThrow();
        w16(COMMAND, COMMAND_MEMORY_SPACE | COMMAND_BUS_MASTER);
        w16(msix + MsixCapabilityLayout.MESSAGE_CONTROL, MsixCapabilityLayout.CONTROL_ENABLE);
        w8(INTERRUPT_LINE, 11);
        dev.scratch = 5;
        dev.reset();
        assertEquals(0, r16(COMMAND));
        assertEquals(0, r32(bar(0)) & ~BAR_MEMORY_FLAGS_MASK, "BARs unassigned");
        assertTrue(dev.barWindow(0).isEmpty(), "and decoding nowhere");
        assertFalse(dev.port().busMasterEnabled());
        assertEquals(TestEndpoint.MSIX_ENTRIES - 1, r16(msix + MsixCapabilityLayout.MESSAGE_CONTROL));
        assertFalse(dev.msix().enabled());
        assertEquals(0, r8(INTERRUPT_LINE));
        assertEquals(0, dev.scratch);
        assertEquals(1, dev.resets);
        assertEquals(STATUS_CAPABILITIES_LIST, r16(STATUS));
    }
}
