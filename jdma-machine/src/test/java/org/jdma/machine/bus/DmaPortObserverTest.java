package org.jdma.machine.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdma.machine.cache.CoherentCache;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.PhysicalMemory;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Device-access observers see every memory request before its data moves, and nothing else. */
class DmaPortObserverTest {

    private static final long A = 0x1000_0000L;
    private static final RequesterId RID = RequesterId.of(0, 4, 0);

    private final Arena arena = Arena.ofConfined();
    private final PhysicalMemory memory = new PhysicalMemory();
    private final EventKernel kernel = new EventKernel(1);
    private final AccessObservers observers = new AccessObservers();
    private final List<String> seen = new ArrayList<>();
    private final DmaPort port;

    DmaPortObserverTest() {
        memory.addRam("a", A, arena.allocate(0x1_0000, 4096));
        port = new DmaPort("dev", new DmaOrigin.PciRequester(RID), memory, new CoherentCache(memory, 64),
                new InterruptController(kernel, 100), new BusTiming(64, 100, 40, 2.0), kernel::now, new CopyOnWriteArrayList<>(), observers);
        observers.add((rid, bus, len, write) -> seen.add(String.format("%s %s %#x+%d", rid, write ? "W" : "R", bus, len)));
    }

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void shouldShowEachRequestWithItsRequesterAddressLengthAndKind() {
        MemorySegment buf = MemorySegment.ofArray(new byte[64]);
        port.read(A, buf, 0, 64);
        port.write(A + 64, buf, 0, 16);
        port.copy(A, A + 0x100, 32);
        port.fill(A + 0x200, 8, 0);
        port.compare(A, A + 0x100, 32);
        port.writeByteRelease(A + 0x300, (byte) 1);
        port.readIntAcquire(A + 0x400, new DmaResult[1]);
        assertEquals(List.of(RID + " R 0x10000000+64", RID + " W 0x10000040+16", RID + " R 0x10000000+32",
                RID + " W 0x10000100+32", RID + " W 0x10000200+8", RID + " R 0x10000000+32", RID + " R 0x10000100+32",
                RID + " W 0x10000300+1", RID + " R 0x10000400+4"), seen);
    }

    @Test
    void shouldShowTheRequestBeforeTheDataMoves() {
        byte[] before = new byte[1];
        observers.add((rid, bus, len, write) -> before[0] = memory.ramSlice(A, 1).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        port.write(A, MemorySegment.ofArray(new byte[] {7}), 0, 1);
        assertEquals(0, before[0], "the observer ran while memory still held the old byte");
    }

    @Test
    void shouldNotShowMsiWritesOrRequestsWithBusMasteringOff() {
        port.signalMsi(0xFEE0_0000L, 0x41);
        port.busMasterEnabled(false);
        port.read(A, MemorySegment.ofArray(new byte[8]), 0, 8);
        assertEquals(List.of(), seen);
    }

    @Test
    void shouldShowFaultingRequestsToo() {
        port.read(0x7000_0000L, MemorySegment.ofArray(new byte[8]), 0, 8); // no RAM there: the device still issued it
        assertEquals(List.of(RID + " R 0x70000000+8"), seen);
    }
}
