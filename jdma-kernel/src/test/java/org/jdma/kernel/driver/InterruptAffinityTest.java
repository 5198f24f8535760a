package org.jdma.kernel.driver;

import static org.jdma.kernel.driver.DriverRig.recording;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.spec.msi.MsiMessageLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A driver asks for vectors with an affinity and each lands on its CPU; the kernel can move them. */
class InterruptAffinityTest {

    private final DriverRig rig = new DriverRig(true);
    private final List<String> log = new ArrayList<>();
    private DriverRegistry registry;
    private InterruptVectors vectors;
    private IrqLine line;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static DeviceMatch copyEngine() {
        return DeviceMatch.pciId(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID);
    }

    /** Binds a driver to the copy engine that takes {@code count} vectors with {@code affinity}, each logging the CPU it ran on. */
    private InterruptVectors bind(int count, Affinity affinity) {
        registry = rig.bind(recording("spread", copyEngine(), ctx -> {
            ctx.enableBusMaster();
            vectors = ctx.allocateVectors(count, affinity);
            for (int i = 0; i < count; i++) {
                int index = i;
                vectors.onInterrupt(i, vec -> log.add("entry " + index + " on CPU " + rig.machine.cpu().index()));
            }
        }));
        return vectors;
    }

    private void raise(int entry) {
        rig.machine.devices(CopyEngine.class).getFirst().msix().signal(entry);
        rig.machine.eventKernel().runUntilIdle();
    }

    @Test
    void shouldLandFourVectorsSpreadOverFourCpusOnFourCpus() {
        assertEquals(4, rig.machine.cpus().size());
        InterruptVectors v = bind(4, Affinity.spreadOverCpus());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, v.cpu(i));
            assertEquals(i, MsiMessageLayout.destination(rig.machine.devices(CopyEngine.class).getFirst().msix().address(i)),
                    "entry " + i + " carries CPU " + i + "'s APIC id");
        }
        for (int i = 3; i >= 0; i--) {
            raise(i);
        }
        assertEquals(List.of("entry 3 on CPU 3", "entry 2 on CPU 2", "entry 1 on CPU 1", "entry 0 on CPU 0"), log);
        var irq = rig.machine.interruptController();
        for (int cpu = 0; cpu < 4; cpu++) {
            assertEquals(1, irq.dispatchedOn(cpu), "CPU " + cpu + " handled one interrupt");
            assertEquals(1, v.dispatched(cpu, cpu));
            assertEquals(1, irq.dispatched(v.vector(cpu), cpu));
        }
    }

    @Test
    void shouldKeepEveryVectorOnTheBootCpuWithoutAnAffinity() {
        rig.bind(recording("plain", copyEngine(), ctx -> vectors = ctx.allocateVectors(3)));
        InterruptVectors v = vectors;
        assertEquals(List.of(0, 0, 0), List.of(v.cpu(0), v.cpu(1), v.cpu(2)));
    }

    @Test
    void shouldSpreadFewerOrMoreVectorsThanCpusEvenly() {
        Affinity spread = Affinity.spreadOverCpus();
        assertEquals(List.of(0, 2), List.of(spread.cpuFor(0, 2, 4), spread.cpuFor(1, 2, 4)));
        List<Integer> eight = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            eight.add(spread.cpuFor(i, 8, 4));
        }
        assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3), eight);
        assertEquals(List.of(3, 1), List.of(Affinity.cpus(3, 1).cpuFor(0, 2, 4), Affinity.cpus(3, 1).cpuFor(1, 2, 4)));
    }

    @Test
    void shouldFailTheProbeWhoseAffinityNamesACpuThatDoesNotExist() {
        int next = rig.nextVector();
        DriverRegistry r = rig.bind(recording("bad", copyEngine(), ctx -> ctx.allocateVectors(2, Affinity.cpus(1, 9))));
        assertEquals(1, r.failures().size());
        String why = r.failures().getFirst().toString();
        assertTrue(why.contains("CPU 9 does not exist (CPUs 0..3)"), why);
        assertEquals(0, r.interrupts().size(), "no vector kept");
        assertEquals(next, rig.nextVector(), "no vector was taken");
    }

    @Test
    void shouldMoveAVectorToAnotherCpuAndListItLikeProcInterrupts() {
        InterruptVectors v = bind(2, Affinity.bootCpu());
        raise(1);
        registry.setIrqAffinity(v.vector(1), 2);
        assertEquals(2, v.cpu(1));
        assertEquals(2, MsiMessageLayout.destination(rig.machine.devices(CopyEngine.class).getFirst().msix().address(1)));
        assertFalse(rig.machine.devices(CopyEngine.class).getFirst().msix().masked(1), "unmasked again after the rewrite");
        raise(1);
        assertEquals(List.of("entry 1 on CPU 0", "entry 1 on CPU 2"), log);
        List<InterruptAssignment> rows = registry.interrupts();
        assertEquals(2, rows.size());
        InterruptAssignment row = rows.get(1);
        assertEquals(v.vector(1), row.vector());
        assertEquals("spread0", row.owner());
        assertEquals("MSI-X 1", row.source());
        assertEquals(2, row.cpu());
        assertEquals(List.of(1L, 0L, 1L, 0L), row.perCpu());
        var noSuchCpu = assertThrows(IllegalArgumentException.class, () -> registry.setIrqAffinity(v.vector(1), 4));
        assertTrue(noSuchCpu.getMessage().contains("CPU 4 does not exist"), noSuchCpu.getMessage());
        var notHeld = assertThrows(IllegalArgumentException.class, () -> registry.setIrqAffinity(200, 1));
        assertTrue(notHeld.getMessage().startsWith("vector 200 is held by no driver"), notHeld.getMessage());
        registry.unbind("spread0");
        assertEquals(List.of(), registry.interrupts(), "an unbound driver holds no vector");
    }

    @Test
    void shouldSendAnMsiOnlyDevicesVectorToTheCpuItsAffinityNames() {
        DriverRegistry r = rig.bind(recording("msi", DeviceMatch.pciId(MsiOnlyEndpoint.VENDOR, MsiOnlyEndpoint.DEVICE), ctx -> {
            ctx.enableBusMaster();
            vectors = ctx.allocateVectors(1, Affinity.cpus(2));
            vectors.onInterrupt(0, vec -> log.add("MSI on CPU " + rig.machine.cpu().index()));
        }));
        DriverContext ctx = r.driver(DriverRig.Recorder.class).context;
        ctx.mmio(0).write32(MsiOnlyEndpoint.RAISE, 1);
        rig.machine.eventKernel().runUntilIdle();
        vectors.setAffinity(0, 1);
        ctx.mmio(0).write32(MsiOnlyEndpoint.RAISE, 1);
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("MSI on CPU 2", "MSI on CPU 1"), log);
        assertEquals("MSI", r.interrupts().getFirst().source());
    }

    @Test
    void shouldRouteALegacyLineToAnotherCpu() {
        DriverRegistry r = rig.bind(recording("timer", DeviceMatch.legacy(LegacyResources.of(PortRange.of(0x300, 4)).withIrq(5)),
                ctx -> line = ctx.requestIrq(LineTrigger.EDGE, vec -> log.add("IRQ 5 on CPU " + rig.machine.cpu().index()))));
        assertEquals(0, line.cpu());
        r.setIrqAffinity(line.vector(), 3);
        assertEquals(3, line.cpu());
        assertEquals(3, rig.machine.interruptController().lineCpu(5));
        rig.machine.interruptController().pulseLine(5);
        rig.machine.eventKernel().runUntilIdle();
        assertEquals(List.of("IRQ 5 on CPU 3"), log);
        assertEquals("IRQ 5", r.interrupts().getFirst().source());
    }
}
