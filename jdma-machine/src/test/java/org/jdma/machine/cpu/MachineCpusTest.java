package org.jdma.machine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cache.CacheConfig;
import org.jdma.machine.mmio.Register;
import org.jdma.machine.mmio.RegisterAccess;
import org.jdma.machine.mmio.RegisterFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several CPUs: who runs as which, what each counts, and that they share one coherent view of memory. */
class MachineCpusTest {

    static final long MiB = 1L << 20;
    static final long MMIO = 0xE000_0000L;
    static final long HOLE = 0x5000_0000L;

    private final List<Machine> machines = new ArrayList<>();

    private Machine machine(MachineConfig.Builder b) {
        Machine m = new Machine(b.ram(List.of(new MachineConfig.Ram("low", 0, 64 * MiB))).build());
        machines.add(m);
        return m;
    }

    private Machine machine() {
        return machine(MachineConfig.builder());
    }

    @AfterEach
    void close() {
        machines.forEach(Machine::close);
    }

    @Test
    void shouldHaveFourCpusByDefaultEachWithItsIndexAsApicId() {
        Machine m = machine();
        assertEquals(MachineConfig.DEFAULT_CPUS, m.cpus().size());
        assertEquals(4, MachineConfig.defaults().cpus());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, m.cpus().get(i).index());
            assertEquals(i, m.cpus().get(i).apicId());
        }
        assertSame(m.cpus().getFirst(), m.cpu(), "code that entered no CPU runs as the boot CPU");
    }

    @Test
    void shouldTakeOneToTwoHundredFiftyFiveCpusAndRefuseOthers() {
        assertEquals(1, machine(MachineConfig.builder().cpus(1)).cpus().size());
        assertEquals(255, MachineConfig.builder().cpus(255).ram("low", 0, MiB).build().cpus());
        var none = assertThrows(IllegalArgumentException.class, () -> MachineConfig.builder().cpus(0).ram("low", 0, MiB).build());
        assertEquals("a machine has 1..255 CPUs, not 0", none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MachineConfig.builder().cpus(256).ram("low", 0, MiB).build());
    }

    @Test
    void shouldRunCodeAsTheChosenCpuAndReturnToThePreviousOneWhenItEnds() {
        Machine m = machine();
        List<Integer> seen = new ArrayList<>();
        m.runOn(2, () -> {
            seen.add(m.cpu().index());
            m.runOn(3, () -> seen.add(m.cpu().index()));
            seen.add(m.cpu().index());
        });
        seen.add(m.cpu().index());
        assertEquals(List.of(2, 3, 2, 0), seen);
        assertEquals(1, (int) m.callOn(1, () -> m.cpu().apicId()));
    }

    @Test
    void shouldReturnToThePreviousCpuWhenTheCodeThrows() {
        Machine m = machine();
        m.runOn(1, () -> {
            assertThrows(IllegalStateException.class, () -> m.runOn(3, () -> {
                throw new IllegalStateException("boom");
            }));
            assertEquals(1, m.cpu().index());
        });
        assertEquals(0, m.cpu().index());
    }

    @Test
    void shouldRefuseACpuThatDoesNotExist() {
        Machine m = machine();
        var e = assertThrows(IllegalArgumentException.class, () -> m.runOn(4, () -> { }));
        assertEquals("CPU 4 does not exist (CPUs 0..3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.runOn(-1, () -> { }));
    }

    @Test
    void shouldRunAThreadThatNeverEnteredACpuAsTheBootCpu() throws InterruptedException {
        Machine m = machine();
        AtomicInteger other = new AtomicInteger(-1);
        m.runOn(2, () -> {
            Thread t = new Thread(() -> other.set(m.cpu().index()));
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(0, other.get(), "another thread is not where this one entered");
    }

    @Test
    void shouldCountMmioPortIoAndBusErrorsOnTheCpuThatExecutesThem() {
        Machine m = machine();
        RegisterFile regs = new RegisterFile("test");
        regs.add(Register.of("R0", 0x0, 4, RegisterAccess.RW, 0xFFFF_FFFFL));
        m.physicalMemory().addMmio("test", MMIO, 0x1000, regs);
        MachineCpu boot = m.cpu();
        m.runOn(2, () -> {
            boot.write32(MMIO, 7);         // through the object kept from boot: still CPU 2 executes it
            assertEquals(7, boot.read32(MMIO));
            boot.read32(HOLE);
            boot.in8(0x80);                // a port nobody claims
        });
        MachineCpu cpu2 = m.cpus().get(2);
        assertEquals(1, cpu2.mmioWrites());
        assertEquals(1, cpu2.mmioReads());
        assertEquals(1, cpu2.ioReads());
        assertEquals(2, cpu2.busErrors(), "the hole and the unclaimed port");
        assertEquals(0, boot.mmioReads() + boot.mmioWrites() + boot.ioReads() + boot.busErrors(), "the boot CPU did nothing");
        boot.write32(MMIO, 1);
        assertEquals(1, boot.mmioWrites());
        assertEquals(2, m.processors().mmioWrites(), "totals over every CPU");
        assertEquals(2, m.processors().busErrors());
    }

    @Test
    void shouldSeeAStoreOfOneCpuFromEveryOther() {
        Machine m = machine();
        m.runOn(1, () -> m.cpu().write64(0x1000, 0x1122_3344_5566_7788L));
        for (int cpu = 0; cpu < 4; cpu++) {
            assertEquals(0x1122_3344_5566_7788L, (long) m.callOn(cpu, () -> m.cpu().read64(0x1000)), "CPU " + cpu);
        }
    }

    @Test
    void shouldLetOneCpuCleanALineAnotherCpuWroteOnANonCoherentMachine() {
        Machine m = machine(MachineConfig.builder().cache(CacheConfig.nonCoherent(64)));
        m.runOn(1, () -> m.cpu().write32(0x2000, 0xCAFE_F00D));
        assertEquals(0, ramInt(m, 0x2000), "a dirty line: DMA would not see the store yet");
        m.runOn(3, () -> m.cpu().cache().clean(0x2000, 64));
        assertEquals(0xCAFE_F00D, ramInt(m, 0x2000), "cleaning by address on CPU 3 reaches CPU 1's store");
        m.physicalMemory().ramSlice(0x2000, 4).set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x1234_5678);  // a device write
        m.runOn(2, () -> m.cpu().cache().invalidate(0x2000, 64));
        assertEquals(0x1234_5678, (int) m.callOn(1, () -> m.cpu().read32(0x2000)), "invalidated for every CPU");
    }

    private static int ramInt(Machine m, long phys) {
        return m.physicalMemory().ramSlice(phys, 4).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    @Test
    void shouldMakeAOneCpuMachineOfAStandaloneCpu() {
        Machine m = machine();
        MachineCpu alone = new MachineCpu(m.physicalMemory(), m.ioPorts(), m.cpu().cache(), m.eventKernel(), 0, 0);
        assertEquals(0, alone.index());
        alone.read32(HOLE);
        assertEquals(1, alone.busErrors(), "counted on the standalone CPU itself");
        assertEquals(0, m.cpu().busErrors());
    }
}
