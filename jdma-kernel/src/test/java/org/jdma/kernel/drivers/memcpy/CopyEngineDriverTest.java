package org.jdma.kernel.drivers.memcpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.jdma.kernel.drivers.memcpy.CopyEngineDriver.CompletionMode;
import org.jdma.kernel.mm.DmaBuffer;
import org.jdma.kernel.mm.DmaMemory;
import org.jdma.kernel.testing.Seed;
import org.jdma.kernel.testing.Seeds;
import org.jdma.kernel.testing.TestMachines;
import org.jdma.machine.Machine;
import org.jdma.spec.memcpy.CompletionStatus;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.kernel.driver.DeviceInfo;
import org.jdma.kernel.driver.DriverRegistry;
import org.jdma.kernel.driver.ProbeFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The driver against the real copy engine on a real machine: checklist rows 20-22. */
class CopyEngineDriverTest {

    @RegisterExtension
    static final Seeds SEEDS = new Seeds();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private record Rig(Machine machine, DmaMemory memory, DriverRegistry drivers, CopyEngineDriver driver) {
        /** The engine's PCI function, as enumeration found it. */
        PciDevice function() {
            return PciSubsystem.scan(machine).device(driver.requester()).orElseThrow();
        }
    }

    private Rig rig(CompletionMode mode) {
        Machine m = new Machine(TestMachines.small(1));
        open.add(m);
        DmaMemory mem = TestMachines.dmaMemory(m);
        DriverRegistry drivers = TestMachines.bindCopyEngines(m, TestMachines.directDma(mem), CopyEngineDriver.Options.DEFAULTS.withMode(mode));
        open.add(drivers);
        return new Rig(m, mem, drivers, drivers.driver(CopyEngineDriver.class));
    }

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldBindToEveryCopyEngineByItsPciIds() {
        try (Machine m = new Machine(TestMachines.small(2)); Machine none = new Machine(TestMachines.small(0));
             DriverRegistry two = TestMachines.bindCopyEngines(m, TestMachines.directDma(TestMachines.dmaMemory(m)), CopyEngineDriver.Options.DEFAULTS);
             DriverRegistry zero = TestMachines.bindCopyEngines(none, TestMachines.directDma(TestMachines.dmaMemory(none)),
                     CopyEngineDriver.Options.DEFAULTS)) {
            List<CopyEngineDriver> bound = two.drivers(CopyEngineDriver.class);
            assertEquals(List.of("memcpy0", "memcpy1"), bound.stream().map(CopyEngineDriver::name).toList());
            assertEquals(List.of(CopyEngine.slot(0), CopyEngine.slot(1)), bound.stream().map(CopyEngineDriver::requester).toList());
            assertTrue(two.devices().stream().allMatch(d -> d.device() instanceof DeviceInfo.Pci p
                    && p.vendorId() == 0x8086 && p.deviceId() == 0x0B25));
            assertEquals(List.of(), zero.devices());
            var e = assertThrows(NoSuchElementException.class, () -> zero.driver(CopyEngineDriver.class));
            assertTrue(e.getMessage().contains("8086:0b25"), e.getMessage());
        }
    }

    @Test
    void shouldProgramTheRingAndMsixThroughMmio() {
        Rig r = rig(CompletionMode.INTERRUPT);
        long bar = r.function().bar(0).orElseThrow().base();
        var cpu = r.machine().cpu();
        assertEquals(r.driver().ring().ringBase(), cpu.read64(bar + CopyEngineRegisters.RING_BASE));
        assertEquals(128, cpu.read32(bar + CopyEngineRegisters.RING_SIZE));
        assertTrue(r.driver().status().running());
        int control = cpu.read32(bar + CopyEngineRegisters.CONTROL);
        assertEquals(CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_ERR_INT_EN, control);
        int entry0 = CopyEngineRegisters.MSIX_TABLE;
        assertEquals(r.driver().completionVector(), cpu.read32(bar + entry0 + CopyEngineRegisters.MSIX_DATA) & 0xFF);
        assertEquals(0, cpu.read32(bar + entry0 + CopyEngineRegisters.MSIX_VECTOR_CONTROL), "unmasked");
        assertEquals(CopyEngineDriver.ERROR_ENTRY, cpu.read32(bar + CopyEngineRegisters.ERR_INT_HANDLE));
        assertTrue(r.driver().ring().ringBase() < 1L << 32);
    }

    @Test
    void shouldEnableBusMasteringAndMsixThroughConfigurationSpaceAndTurnMsixOffWhenRemoved() {
        Rig r = rig(CompletionMode.INTERRUPT);
        PciDevice f = r.function();
        assertEquals(org.jdma.spec.pci.PciConfigLayout.COMMAND_MEMORY_SPACE | org.jdma.spec.pci.PciConfigLayout.COMMAND_BUS_MASTER,
                f.command(), "Memory Space and Bus Master Enable");
        int cap = f.capability(org.jdma.spec.pci.MsixCapabilityLayout.ID).orElseThrow();
        int control = f.read16(cap + org.jdma.spec.pci.MsixCapabilityLayout.MESSAGE_CONTROL);
        assertEquals(org.jdma.spec.pci.MsixCapabilityLayout.CONTROL_ENABLE,
                control & (org.jdma.spec.pci.MsixCapabilityLayout.CONTROL_ENABLE | org.jdma.spec.pci.MsixCapabilityLayout.CONTROL_FUNCTION_MASK),
                "MSI-X enabled, Function Mask clear");
        CopyEngine device = r.machine().devices(CopyEngine.class).getFirst();
        assertTrue(device.port().busMasterEnabled() && device.msix().enabled());
        r.drivers().unbind(r.driver().name());
        assertFalse(device.msix().enabled(), "unbinding disables MSI-X");
        assertFalse(device.port().busMasterEnabled(), "and clears Bus Master Enable");
        assertTrue(device.msix().masked(CopyEngineDriver.COMPLETION_ENTRY));
    }

    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void shouldCopyBytesEndToEnd(CompletionMode mode, @Seed(0x5EED_C091L) long seed) {
        Rig r = rig(mode);
        byte[] data = randomBytes(seed, 10_000);
        try (DmaBuffer src = r.memory().allocate(10_000, 64); DmaBuffer dst = r.memory().allocate(10_000, 64)) {
            src.write(0, data);
            OpResult result = r.driver().copy(src, dst, 10_000);
            CompletedDescriptor c = assertInstanceOf(OpResult.Completed.class, result, "seed " + seed).completion();
            assertEquals(CompletionStatus.SUCCESS, c.status());
            assertEquals(10_000, c.bytesCompleted());
            assertTrue(c.descriptor().hasFlag(Descriptor.DONE));
            assertArrayEquals(data, dst.toByteArray(), "seed " + seed);
            assertEquals(mode == CompletionMode.INTERRUPT ? 1 : 0, r.driver().completionInterrupts());
        }
    }

    /**
     * A copy started from an event that runs while another copy waits (a timer's callback, say):
     * both complete, each sees its own completion, and the outer one is not left waiting for an
     * interrupt the inner one already took until its timeout.
     */
    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void shouldCompleteACopyStartedFromAnEventWhileAnotherWaits(CompletionMode mode, @Seed(0x5EED_0E57L) long seed) {
        Rig r = rig(mode);
        byte[] outerData = randomBytes(seed, 8192);
        byte[] innerData = randomBytes(seed + 1, 4096);
        try (DmaBuffer src = r.memory().allocate(8192, 64); DmaBuffer dst = r.memory().allocate(8192, 64);
             DmaBuffer innerSrc = r.memory().allocate(4096, 64); DmaBuffer innerDst = r.memory().allocate(4096, 64)) {
            src.write(0, outerData);
            innerSrc.write(0, innerData);
            OpResult[] inner = new OpResult[1];
            r.machine().clock().schedule(1, "inner copy", () -> inner[0] = r.driver().copy(innerSrc, innerDst, 4096));
            long start = r.machine().clock().now();
            OpResult outer = r.driver().copy(src, dst, 8192);

            assertInstanceOf(OpResult.Completed.class, inner[0], "the inner copy ran inside the outer's wait and completed");
            CompletedDescriptor c = assertInstanceOf(OpResult.Completed.class, outer).completion();
            assertEquals(8192, c.bytesCompleted(), "the outer copy got its own completion, not the inner's");
            assertArrayEquals(outerData, dst.toByteArray());
            assertArrayEquals(innerData, innerDst.toByteArray());
            long waited = r.machine().clock().now() - start;
            assertTrue(waited < CopyEngineDriver.Options.DEFAULTS.timeoutNs() / 100,
                    "the outer copy returned when it completed (" + waited + " ns), not at its timeout");
        }
    }

    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void shouldFillWithTheLittleEndianPattern(CompletionMode mode) {
        Rig r = rig(mode);
        long pattern = 0x0807_0605_0403_0201L;
        try (DmaBuffer dst = r.memory().allocate(4101, 64)) {
            dst.fill(0, 4101, (byte) 0xEE);
            assertTrue(r.driver().fill(dst, 4099, pattern).isSuccess());
            byte[] got = dst.toByteArray();
            for (int i = 0; i < 4099; i++) {
                assertEquals((byte) (i % 8 + 1), got[i], "byte " + i);
            }
            assertEquals((byte) 0xEE, got[4099], "nothing past the length");
        }
    }

    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void shouldCompareEqualAndDifferingBuffers(CompletionMode mode, @Seed(0x5EED_C0C9L) long seed) {
        Rig r = rig(mode);
        byte[] data = randomBytes(seed, 5000);
        try (DmaBuffer a = r.memory().allocate(5000, 64); DmaBuffer b = r.memory().allocate(5000, 64)) {
            a.write(0, data);
            b.write(0, data);
            CompletedDescriptor same = r.driver().compare(a, b, 5000).completed().orElseThrow();
            assertEquals(CompletionStatus.SUCCESS, same.status());
            assertFalse(same.differs(), "seed " + seed);
            b.writeByte(1234, data[1234] ^ 0x40);
            CompletedDescriptor diff = r.driver().compare(a, b, 5000).completed().orElseThrow();
            assertEquals(CompletionStatus.SUCCESS, diff.status(), "a difference is a result, not an error");
            assertTrue(diff.differs());
            assertEquals(1234, diff.bytesCompleted(), "offset of the first difference");
        }
    }

    @Test
    void shouldReportAGarbageDescriptorsErrorAndRunTheNextOne() {
        Rig r = rig(CompletionMode.INTERRUPT);
        long hole = 0x9000_0000L;
        try (DmaBuffer src = r.memory().allocate(4096, 64); DmaBuffer dst = r.memory().allocate(4096, 64)) {
            OpResult fault = r.driver().executeUnchecked(Descriptor.memmove(hole, dst.physicalAddress(), 4096));
            CompletedDescriptor f = fault.completed().orElseThrow();
            assertEquals(CompletionStatus.PAGE_FAULT_NOBOF, f.status());
            assertEquals(hole, f.faultAddress());
            assertTrue(f.isError());
            assertTrue(f.descriptor().hasFlag(Descriptor.ERROR));

            OpResult writeFault = r.driver().executeUnchecked(Descriptor.memfill(hole, 64, 1));
            assertTrue(writeFault.completed().orElseThrow().faultOnWrite());

            assertEquals(CompletionStatus.XFER_ERANGE, r.driver().copy(src, dst, 0).status().orElseThrow(), "length 0");
            long tooBig = r.driver().maxTransferSize() + 1;
            assertEquals(CompletionStatus.XFER_ERANGE,
                    r.driver().executeUnchecked(Descriptor.memmove(src.physicalAddress(), dst.physicalAddress(), tooBig)).status().orElseThrow());

            src.fill(0, 4096, (byte) 0x3C);
            assertTrue(r.driver().copy(src, dst, 4096).isSuccess(), "the engine goes on after errors");
            assertArrayEquals(src.toByteArray(), dst.toByteArray());
            assertTrue(r.driver().status().running());
        }
    }

    /** Runs the same operations on a fresh machine; returns what each reported and the final bytes. */
    private List<String> script(CompletionMode mode, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Rig r = rig(mode);
        List<String> log = new ArrayList<>();
        try (DmaBuffer a = r.memory().allocate(8192, 64); DmaBuffer b = r.memory().allocate(8192, 64)) {
            a.write(0, randomBytes(seed, 8192));
            for (int i = 0; i < 40; i++) {
                int len = rnd.nextInt(0, 8193);
                OpResult res = switch (rnd.nextInt(4)) {
                    case 0 -> r.driver().copy(a, b, len);
                    case 1 -> r.driver().fill(b, len, rnd.nextLong());
                    case 2 -> r.driver().compare(a, b, len);
                    default -> r.driver().executeUnchecked(Descriptor.memmove(0x9000_0000L + len, b.physicalAddress(), Math.max(len, 1)));
                };
                CompletedDescriptor c = res.completed().orElseThrow();
                log.add(i + ": " + c.status() + " bytes=" + c.bytesCompleted() + " result=" + c.result() + " fault=" + c.faultAddress());
            }
            log.add(java.util.HexFormat.of().formatHex(b.toByteArray()));
        }
        return log;
    }

    @Test
    void shouldGiveIdenticalResultsWithInterruptsAndWithPolling(@Seed(0x5EED_5C21L) long seed) {
        List<String> withInterrupts = script(CompletionMode.INTERRUPT, seed);
        List<String> polled = script(CompletionMode.POLLED, seed);
        assertEquals(withInterrupts, polled, "seed " + seed);
        assertTrue(withInterrupts.stream().anyMatch(s -> s.contains("SUCCESS")) && withInterrupts.stream().anyMatch(s -> s.contains("PAGE_FAULT")),
                "seed " + seed + ": the script exercised successes and errors");
    }

    @Test
    void shouldRaiseExactlyOneInterruptPerRequestingDescriptor() {
        Rig r = rig(CompletionMode.POLLED);
        var cpu = r.machine().cpu();
        try (DmaBuffer a = r.memory().allocate(4096, 64); DmaBuffer b = r.memory().allocate(4096, 64)) {
            Descriptor quiet = Descriptor.memmove(a.physicalAddress(), b.physicalAddress(), 4096);
            Descriptor loud = quiet.withFlags(quiet.flags() | Descriptor.INTERRUPT);
            assertEquals(4, r.driver().submitUnchecked(quiet, loud, quiet, loud));
            r.machine().clock().runUntilIdle();
            assertEquals(2, r.driver().completionInterrupts());
            CompletedDescriptor[] out = new CompletedDescriptor[8];
            assertEquals(4, r.driver().drain(out));
            assertEquals(0, cpu.busErrors());
        }
    }

    @Test
    void shouldRunAsyncBatchesAndDrainThemInOrder(@Seed(0x5EED_A5C1L) long seed) {
        Rig r = rig(CompletionMode.POLLED);
        byte[] data = randomBytes(seed, 64 * 100);
        try (DmaBuffer src = r.memory().allocate(data.length, 64); DmaBuffer dst = r.memory().allocate(data.length, 64)) {
            src.write(0, data);
            List<Descriptor> batch = new ArrayList<>();
            for (int i = 99; i >= 0; i--) {
                batch.add(Descriptor.memmove(src.physicalAddress() + i * 64L, dst.physicalAddress() + i * 64L, 64));
            }
            assertEquals(100, r.driver().submitUnchecked(batch));
            CompletedDescriptor[] out = new CompletedDescriptor[128];
            assertEquals(0, r.driver().drain(out), "nothing has run yet: the clock has not moved");
            r.machine().clock().runUntil(() -> r.driver().ring().isComplete(99), 1_000_000_000L);
            assertEquals(100, r.driver().drain(out));
            for (int i = 0; i < 100; i++) {
                assertEquals(batch.get(i).address(), out[i].descriptor().address(), "FIFO");
                assertEquals(CompletionStatus.SUCCESS, out[i].status());
            }
            assertArrayEquals(data, dst.toByteArray(), "seed " + seed);
        }
    }

    @ParameterizedTest
    @EnumSource(CompletionMode.class)
    void shouldReportTheErrorRegisterWhenTheEngineHaltsAndRecoverAfterReset(CompletionMode mode) {
        Rig r = rig(mode);
        var cpu = r.machine().cpu();
        long bar = r.function().bar(0).orElseThrow().base();
        long hole = 0x9000_0000L;
        // Point the engine at a ring it cannot read: the next fetch faults and halts it.
        cpu.write32(bar + CopyEngineRegisters.CONTROL, 0);
        cpu.write64(bar + CopyEngineRegisters.RING_BASE, hole);
        cpu.write32(bar + CopyEngineRegisters.CONTROL, CopyEngineRegisters.CONTROL_ENABLE | CopyEngineRegisters.CONTROL_ERR_INT_EN);
        try (DmaBuffer a = r.memory().allocate(4096, 64); DmaBuffer b = r.memory().allocate(4096, 64)) {
            OpResult res = r.driver().copy(a, b, 4096);
            EngineStatus s = assertInstanceOf(OpResult.Halted.class, res).engine();
            assertTrue(s.halted());
            assertEquals(CopyEngineRegisters.ERROR_FETCH_FAULT, s.error());
            assertEquals(List.of("FETCH_FAULT"), s.errorNames());
            assertEquals(hole, s.errorAddress());
            assertFalse(res.isSuccess());
            if (mode == CompletionMode.INTERRUPT) {
                assertEquals(1, r.driver().errorInterrupts());
            }
            List<Descriptor> dropped = r.driver().resetAndEnable();
            assertEquals(1, dropped.size(), "the descriptor the engine never ran");
            assertTrue(r.driver().status().running());
            assertEquals(0, r.driver().status().error());
            a.fill(0, 4096, (byte) 0x77);
            assertTrue(r.driver().copy(a, b, 4096).isSuccess());
            assertArrayEquals(a.toByteArray(), b.toByteArray());
        }
    }

    @Test
    void shouldDisableTheEngineAndGiveBackItsVectorsWhenRemoved() {
        Rig r = rig(CompletionMode.INTERRUPT);
        int vector = r.driver().completionVector();
        long free = r.memory().frames().stats().freeFrames();
        r.drivers().unbind(r.driver().name());
        assertFalse(r.driver().status().running());
        assertTrue(r.memory().frames().stats().freeFrames() > free, "ring frames returned");
        int again = r.machine().interrupts().allocateVector();
        assertEquals(vector, again, "the completion vector is free again");
        assertThrows(IllegalStateException.class, () -> r.driver().submitUnchecked(Descriptor.noop()));
        r.driver().remove();
        assertEquals(List.of(), r.drivers().devices(), "unbound");
    }

    @Test
    void shouldRejectARingLargerThanTheEngineAllows() {
        Machine m = new Machine(TestMachines.small(1).withDevices(List.of(CopyEngine.spec(0,
                org.jdma.machine.dev.memcpy.CopyEngineConfig.DEFAULT.withMaxRingShift(4)))));
        open.add(m);
        DmaMemory mem = TestMachines.dmaMemory(m);
        long free = mem.frames().stats().freeFrames();
        int nextVector = m.interrupts().allocateVector();
        m.interrupts().freeVector(nextVector);
        try (DriverRegistry drivers = TestMachines.bindCopyEngines(m, TestMachines.directDma(mem),
                CopyEngineDriver.Options.DEFAULTS.withRingSlots(32))) {
            assertEquals(List.of(), drivers.devices(), "the probe failed: nothing is bound");
            ProbeFailure f = drivers.failures().getFirst();
            assertEquals("memcpy0", f.name());
            assertTrue(f.reason().contains("16"), f.reason());
            assertInstanceOf(IllegalArgumentException.class, f.cause());
            assertEquals(free, mem.frames().stats().freeFrames(), "no frame stays allocated");
            assertEquals(nextVector, m.interrupts().allocateVector(), "no vector stays allocated");
        }
        assertNotEquals(0, CopyEngine.VENDOR_ID);
    }
}
