package org.jdma.kernel.drivers.isablock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jdma.kernel.Kernel;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.spec.isablock.IsaBlockPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The floppy-like block device and its driver: sectors byte for byte through the 8237A, errors with their residue. */
class IsaBlockDriverTest {

    private static final int BASE = 0x3F0;
    private static final int SECTOR = IsaBlockPorts.SECTOR_BYTES;

    private final Machine machine = new Machine(MachineConfig.defaults()
            .withDevice(IsaBlockDevice.spec("fd0", BASE, 6, 2))); // the device: one configuration line
    private final Kernel kernel = Kernel.boot(machine, Kernel.Options.DEFAULTS.withDmaDebug(true)
            .withDriver(IsaBlockDriver.driver(BASE, 6, 2))); // the driver: one registration
    private final IsaBlockDevice device = machine.devices(IsaBlockDevice.class).getFirst();
    private final IsaBlockDriver driver = kernel.drivers().drivers(IsaBlockDriver.class).getFirst();

    @AfterEach
    void close() {
        kernel.close();
        machine.close();
    }

    @Test
    void shouldReadSectorsByteForByteIntoAZoneDmaBuffer() {
        byte[] medium = device.medium();
        for (int i = 0; i < medium.length; i++) {
            medium[i] = (byte) (i * 7 + i / SECTOR);
        }
        byte[] got = new byte[3 * SECTOR];
        driver.read(100, 3, got);
        assertArrayEquals(Arrays.copyOfRange(medium, 100 * SECTOR, 103 * SECTOR), got);
        assertTrue(driver.bufferPhysical() < 16L << 20, "a 24-bit mask takes ZONE_DMA");
        assertEquals(1, driver.interrupts(), "one interrupt, at terminal count");
        var isa = machine.isaDma().orElseThrow();
        assertEquals(3 * SECTOR, isa.counters().transfers(2));
        assertEquals(3 * SECTOR, isa.counters().grants(2), "single mode: one bus grant per byte");
    }

    @Test
    void shouldWriteSectorsByteForByte() {
        byte[] data = new byte[2 * SECTOR];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (255 - i);
        }
        driver.write(7, 2, data);
        assertArrayEquals(data, Arrays.copyOfRange(device.medium(), 7 * SECTOR, 9 * SECTOR));
        assertEquals(0, device.medium()[9 * SECTOR], "not one byte more");
    }

    @Test
    void shouldReportTheResidueWhenTheRangeRunsPastTheMedium() {
        int last = device.medium().length / SECTOR - 1;
        var e = assertThrows(IsaBlockDriver.IsaBlockException.class, () -> driver.read(last, 2, new byte[2 * SECTOR]));
        assertEquals(IsaBlockPorts.ERR_RANGE, e.error());
        assertEquals(SECTOR, e.residue(), "the sector past the end did not move");
        assertTrue(e.getMessage().contains("512 of 1024 bytes not moved"), e.getMessage());
        byte[] again = new byte[SECTOR];
        driver.read(0, 1, again); // the device and the channel work after an error
        assertEquals(2, driver.interrupts());
    }

    @Test
    void shouldReadTheSameBytesInBlockAndDemandModeWithOneGrantForABufferedBlock() {
        byte[] medium = device.medium();
        for (int i = 0; i < medium.length; i++) {
            medium[i] = (byte) (i * 13 + 5);
        }
        var isa = machine.isaDma().orElseThrow();
        byte[] block = new byte[4 * SECTOR];
        isa.counters().clear();
        driver.read(20, 4, block, new IsaBlockDriver.Transfer(org.jdma.spec.i8237.I8237Layout.MODE_BLOCK, 4));
        assertArrayEquals(Arrays.copyOfRange(medium, 20 * SECTOR, 24 * SECTOR), block);
        assertEquals(1, isa.counters().grants(2), "block mode: the whole buffered transfer in one grant");
        byte[] demand = new byte[4 * SECTOR];
        isa.counters().clear();
        driver.read(20, 4, demand, new IsaBlockDriver.Transfer(org.jdma.spec.i8237.I8237Layout.MODE_DEMAND, 1));
        assertArrayEquals(block, demand);
        assertEquals(4, isa.counters().grants(2), "demand mode: a grant per sector the device has ready");
    }

    @Test
    void shouldFailWithUnderrunWhenBlockModeStartsBeforeTheDataIsThere() {
        var e = assertThrows(IsaBlockDriver.IsaBlockException.class, () -> driver.read(0, 2, new byte[2 * SECTOR],
                new IsaBlockDriver.Transfer(org.jdma.spec.i8237.I8237Layout.MODE_BLOCK, 1)));
        assertEquals(IsaBlockPorts.ERR_UNDERRUN, e.error());
        driver.read(0, 1, new byte[SECTOR]); // and works again
    }
}
