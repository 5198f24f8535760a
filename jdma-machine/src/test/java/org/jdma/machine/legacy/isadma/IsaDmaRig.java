package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;

import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.cpu.MachineCpu;
import org.jdma.machine.dev.timer.CountdownTimer;

/** A machine with the 8237A pair (a legacy timer makes it have an LPC bridge) and helpers that program it over ports. */
final class IsaDmaRig implements AutoCloseable {

    final Machine machine = new Machine(MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20)))
            .withDevice(CountdownTimer.spec("timer0", 0x300, 5)));
    final MachineCpu cpu = machine.cpu();
    final IsaDma dma = machine.isaDma().orElseThrow();

    DmaProbe probe(int channel) {
        DmaProbe p = new DmaProbe("probe" + channel, channel);
        machine.legacyBus().plug(p);
        return p;
    }

    /** What the BIOS does: channel 4 in cascade mode, unmasked. */
    IsaDmaRig cascade() {
        cpu.out8(registerPort(4, REG_MODE), MODE_CASCADE);
        cpu.out8(registerPort(4, REG_SINGLE_MASK), 0);
        return this;
    }

    /** Programs {@code ch}: mode, page, address and count (as the channel counts: units), then unmasks it. */
    void program(int ch, int mode, long physical, int count) {
        cpu.out8(registerPort(ch, REG_SINGLE_MASK), REQUEST_SET | ch % 4);
        cpu.out8(registerPort(ch, REG_MODE), mode);
        cpu.out8(registerPort(ch, REG_CLEAR_FLIP_FLOP), 0);
        int address = (int) (isWordChannel(ch) ? (physical >>> 1) & 0xFFFF : physical & 0xFFFF);
        cpu.out8(addressPort(ch), address & 0xFF);
        cpu.out8(addressPort(ch), address >>> 8);
        cpu.out8(countPort(ch), count & 0xFF);
        cpu.out8(countPort(ch), (count >>> 8) & 0xFF);
        cpu.out8(pagePort(ch), (int) (physical >>> 16) & 0xFF);
        cpu.out8(registerPort(ch, REG_SINGLE_MASK), ch % 4);
    }

    int readWord(int port) {
        int lo = cpu.in8(port);
        return lo | cpu.in8(port) << 8;
    }

    void runIdle() {
        machine.eventKernel().runUntilIdle();
    }

    @Override
    public void close() {
        machine.close();
    }
}
