package org.jdma.kernel.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The layer's per-device record of live mappings: found again by device address, released in a defined order. */
class DeviceStateTest {

    private final DeviceState state = new DeviceState(new Object(), new DmaDevice("nvme0", RequesterId.of(0, 8, 0), false), null, null);

    @Test
    void shouldTakeEachOfManyNeighbouringPageAlignedMappingsByItsAddress() {
        List<DeviceState.Live> mapped = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            DeviceState.Live m = new DeviceState.SgRange(0xFFF0_0000L - i * 0x1000L, 0xFFF0_0000L - i * 0x1000L, 0x1000, DmaDirection.FROM_DEVICE);
            mapped.add(m);
            state.add(m);
        }
        assertEquals(512, state.liveCount());
        for (int i = 511; i >= 0; i -= 2) {
            assertSame(mapped.get(i), state.take(mapped.get(i).dma()), "mapping " + i);
        }
        assertNull(state.take(mapped.get(1).dma()), "taken once only");
        assertEquals(256, state.liveCount());
    }

    @Test
    void shouldTakeTheOldestOfTwoMappingsAtOneAddressFirst() {
        DeviceState.Single first = new DeviceState.Single(0x5000, 64, DmaDirection.TO_DEVICE);
        DeviceState.Single second = new DeviceState.Single(0x5000, 128, DmaDirection.FROM_DEVICE);
        state.add(first);
        state.add(second);
        assertSame(first, state.take(0x5000));
        assertSame(second, state.take(0x5000));
        assertNull(state.take(0x5000));
    }

    @Test
    void shouldDrainWhatIsLeftByDeviceAddressOldestFirstAtOneAddress() {
        DeviceState.Single high = new DeviceState.Single(0xFFFF_F000_0000_0000L, 8, DmaDirection.TO_DEVICE);
        DeviceState.Single low = new DeviceState.Single(0x3000, 8, DmaDirection.TO_DEVICE);
        DeviceState.Single mid = new DeviceState.Single(0x8000_0000L, 8, DmaDirection.TO_DEVICE);
        DeviceState.Single midAgain = new DeviceState.Single(0x8000_0000L, 16, DmaDirection.TO_DEVICE);
        state.add(high);
        state.add(mid);
        state.add(low);
        state.add(midAgain);
        assertEquals(List.of(low, mid, midAgain, high), state.drainLive(), "unsigned address order");
        assertEquals(0, state.liveCount());
    }
}
