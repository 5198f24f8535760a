package org.jdma.machine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.memory.IoPortHandler;
import org.jdma.platform.Cpu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code IN}/{@code OUT} through the machine's CPU: widths, master aborts, cost, bad ports. */
class MachineCpuPortIoTest {

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withRam(List.of(new MachineConfig.Ram("low", 0, 16L << 20))).withDevices(List.of()));
    private final MachineCpu cpu = machine.cpu();
    private final List<String> log = new ArrayList<>();
    private final byte[] regs = new byte[8];

    MachineCpuPortIoTest() {
        machine.ioPorts().claim("dev", 0x3F8, 8, new IoPortHandler() {
            @Override
            public int read(int offset, int width) {
                log.add("read " + offset + "/" + width + " at " + machine.eventKernel().now());
                int v = 0;
                for (int i = 0; i < width; i++) {
                    v |= (regs[offset + i] & 0xFF) << (8 * i);
                }
                return v;
            }

            @Override
            public void write(int offset, int width, int value) {
                log.add(String.format("write %d/%d %#x at %d", offset, width, value, machine.eventKernel().now()));
                for (int i = 0; i < width; i++) {
                    regs[offset + i] = (byte) (value >>> (8 * i));
                }
            }
        });
    }

    @AfterEach
    void close() {
        machine.close();
    }

    @Test
    void shouldMoveEveryWidthLittleEndian() {
        cpu.out32(0x3F8, 0x4433_2211);
        assertEquals(0x11, cpu.in8(0x3F8));
        assertEquals(0x44, cpu.in8(0x3FB));
        assertEquals(0x3322, cpu.in16(0x3F9));
        cpu.out16(0x3FC, 0xBEEF);
        cpu.out8(0x3FE, 0x1_23); // only the low byte goes out
        assertEquals(0x0023_BEEF, cpu.in32(0x3FC));
        regs[0] = (byte) 0xF0;
        regs[1] = (byte) 0xE1;
        assertEquals(0xF0, cpu.in8(0x3F8), "in8 answers 0..255, not a sign-extended byte");
        assertEquals(0xE1F0, cpu.in16(0x3F8), "in16 answers 0..0xffff");
        assertEquals(0, cpu.busErrors());
        assertEquals(3, cpu.ioWrites());
        assertEquals(6, cpu.ioReads());
    }

    @Test
    void shouldReadUnclaimedPortsAsAllOnesDropWritesAndCountBusErrors() {
        assertEquals(0xFF, cpu.in8(0x80));
        assertEquals(0xFFFF, cpu.in16(0x80));
        assertEquals(0xFFFF_FFFF, cpu.in32(0x80));
        cpu.out8(0x80, 0x55);
        assertEquals(4, cpu.busErrors(), "master aborts on the I/O space count like holes in memory");
        assertEquals(0xFF, cpu.in8(0x80), "the write went nowhere");
        assertEquals(List.of(), log);
    }

    @Test
    void shouldStallTheCpuForEachAccessAndLetDevicesRunMeanwhile() {
        long t0 = machine.eventKernel().now();
        machine.eventKernel().schedule(MachineCpu.DEFAULT_IO_PORT_ACCESS_NS / 2, "device event", () -> log.add("event"));
        cpu.in8(0x3F8);
        assertEquals(t0 + MachineCpu.DEFAULT_IO_PORT_ACCESS_NS, machine.eventKernel().now());
        cpu.out8(0x3F8, 1);
        assertEquals(t0 + 2 * MachineCpu.DEFAULT_IO_PORT_ACCESS_NS, machine.eventKernel().now());
        cpu.in8(0x80); // an unclaimed port costs the same: the bridge waits for a target that never answers
        assertEquals(t0 + 3 * MachineCpu.DEFAULT_IO_PORT_ACCESS_NS, machine.eventKernel().now());
        assertEquals(List.of("event", "read 0/1 at " + (t0 + 1000), "write 0/1 0x1 at " + (t0 + 1000)), log,
                "a read samples the device after the stall; a write reaches it before the CPU waits for completion");
        assertEquals(1000, cpu.ioPortAccessNs());
    }

    @Test
    void shouldRejectPortsOutsideTheIoSpaceNamingThem() {
        var past = assertThrows(IllegalArgumentException.class, () -> cpu.in16(Cpu.MAX_IO_PORT));
        assertTrue(past.getMessage().contains("0xffff") && past.getMessage().contains("16-bit"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.in8(0x1_0000));
        assertThrows(IllegalArgumentException.class, () -> cpu.out32(0xFFFD, 0));
        assertThrows(IllegalArgumentException.class, () -> cpu.out8(-1, 0));
        assertEquals(0xFF, cpu.in8(Cpu.MAX_IO_PORT), "the last port itself is fine");
        assertEquals(1, cpu.ioReads());
    }
}
