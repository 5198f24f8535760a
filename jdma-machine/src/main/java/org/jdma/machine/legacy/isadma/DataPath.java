package org.jdma.machine.legacy.isadma;

import static org.jdma.spec.i8237.I8237Layout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntFunction;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.legacy.DmaHandshake;

/**
 * The data half of a transfer cycle: the address the channel drives (page and counter), the
 * memory cycle through the channel's {@link DmaPort} and the I/O cycle to the device at DACK.
 * Verify (and the illegal type 11) run the cycle without a memory read or write. A memory cycle
 * the bus refuses (an IOMMU fault, no RAM) is counted; the 8237A goes on, as it cannot know.
 */
final class DataPath {

    /** What the data bus holds when nothing drives it. */
    private static final int UNDRIVEN = 0xFFFF;

    private final IntFunction<DmaPort> ports;
    private final DmaHandshake[] devices;
    private final ChannelCounters counters;
    private final MemorySegment unit = Arena.ofAuto().allocate(2);

    DataPath(IntFunction<DmaPort> ports, DmaHandshake[] devices, ChannelCounters counters) {
        this.ports = ports;
        this.devices = devices;
        this.counters = counters;
    }

    /** One transfer of local channel {@code ch} of {@code chip} with page register {@code page}. */
    void move(I8237 chip, int ch, int page, long now) {
        int board = chip.boardChannel(ch);
        int type = chip.type(ch);
        int n = unitBytes(board);
        counters.transfer(board, now, type == MODE_TYPE_WRITE || type == MODE_TYPE_READ ? n : 0);
        if (type != MODE_TYPE_WRITE && type != MODE_TYPE_READ) {
            return; // verify: addresses and count step, no memory cycle
        }
        long phys = physical(board, page, chip.address(ch));
        DmaHandshake device = devices[board];
        DmaResult r;
        if (type == MODE_TYPE_WRITE) {
            int v = device == null ? UNDRIVEN : device.dackRead();
            unit.set(ValueLayout.JAVA_BYTE, 0, (byte) v);
            unit.set(ValueLayout.JAVA_BYTE, 1, (byte) (v >>> 8));
            r = ports.apply(board).write(phys, unit, 0, n);
        } else {
            unit.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) UNDRIVEN);
            r = ports.apply(board).read(phys, unit, 0, n);
            int v = unit.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
            if (n == 2) {
                v |= (unit.get(ValueLayout.JAVA_BYTE, 1) & 0xFF) << 8;
            }
            if (device != null) {
                device.dackWrite(v);
            }
        }
        if (!r.isOk()) {
            counters.fault(board);
        }
    }

    /**
     * One memory-to-memory transfer: channel 0's address is read into the temporary register,
     * which is written at channel 1's; channel 0's address holds when command bit 1 says so.
     *
     * @return whether channel 1 reached terminal count
     */
    boolean memoryToMemory(I8237 chip, int page0, int page1, long now) {
        long src = physical(0, page0, chip.address(0));
        long dst = physical(1, page1, chip.address(1));
        unit.set(ValueLayout.JAVA_BYTE, 0, (byte) 0xFF);
        if (!ports.apply(0).read(src, unit, 0, 1).isOk()) {
            counters.fault(0);
        }
        chip.temporary(unit.get(ValueLayout.JAVA_BYTE, 0));
        if (!ports.apply(1).write(dst, unit, 0, 1).isOk()) {
            counters.fault(1);
        }
        counters.transfer(1, now, 1);
        chip.advance(0, (chip.command() & COMMAND_CH0_ADDRESS_HOLD) != 0);
        boolean tc = chip.advance(1, false);
        if (tc) {
            counters.terminalCount(1, now);
        }
        return tc;
    }
}
