package org.jdma.kernel.iommu.iova;

import static org.jdma.kernel.iommu.iova.IovaAllocator.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IovaSpaceTest {

    static final long PAGE = 4096;
    static final long FOUR_GIB = 1L << 32;
    static final long MASK_64 = -1L;
    static final long APERTURE_48 = (1L << 48) - 1;

    final List<String> notices = new ArrayList<>();

    IovaSpace space(IovaAllocator a) {
        return new IovaSpace(a, APERTURE_48, notices::add);
    }

    @Test
    void shouldGiveAPciDeviceA32BitAddressFirstEvenWithA64BitMask() {
        IovaSpace.Device nic = space(new CachedIovaAllocator()).device("0000:00:03.0", true);
        long iova = nic.allocIova(PAGE, MASK_64);
        assertEquals(FOUR_GIB - PAGE, iova);
        assertTrue(nic.tries32BitFirst());
        assertTrue(notices.isEmpty());
    }

    @Test
    void shouldGiveOtherDevicesTheTopOfTheirLimitAtOnce() {
        IovaSpace.Device dev = space(new TreeIovaAllocator()).device("platform-dma", false);
        assertEquals(APERTURE_48 + 1 - PAGE, dev.allocIova(PAGE, MASK_64)); // clamped to the aperture
        assertEquals((1L << 40) - 2 * PAGE, dev.allocIova(2 * PAGE, (1L << 40) - 1));
    }

    @Test
    void shouldSwitchToTheFullMaskWithOneNoticeWhenThe32BitSpaceIsFull() {
        TreeIovaAllocator tree = new TreeIovaAllocator();
        tree.reserve(1, tree.dma32Pfn() - 1); // nothing left below 4 GiB
        IovaSpace.Device nic = space(tree).device("0000:00:03.0", true);
        long first = nic.allocIova(PAGE, MASK_64);
        assertEquals(APERTURE_48 + 1 - PAGE, first);
        assertFalse(nic.tries32BitFirst());
        assertEquals(List.of("0000:00:03.0: Using 48-bit DMA addresses"), notices);
        nic.allocIova(PAGE, MASK_64);
        assertEquals(1, notices.size(), "the notice is given once");
    }

    @Test
    void shouldKeepA32BitMaskBelow4GiBWithoutTheWorkaround() {
        TreeIovaAllocator tree = new TreeIovaAllocator();
        IovaSpace.Device old = space(tree).device("0000:00:04.0", true);
        assertEquals(FOUR_GIB - 4 * PAGE, old.allocIova(4 * PAGE, 0xFFFF_FFFFL));
        tree.reserve(1, tree.dma32Pfn() - 5);
        assertEquals(NONE, old.allocIova(PAGE, 0xFFFF_FFFFL));
        assertTrue(old.tries32BitFirst(), "a device limited to 32 bits never switches");
        assertTrue(notices.isEmpty());
    }

    @Test
    void shouldFreeWhatItAllocated() {
        CachedIovaAllocator a = new CachedIovaAllocator();
        IovaSpace.Device d = space(a).device("dev", true);
        long iova = d.allocIova(3 * PAGE, MASK_64);
        d.freeIova(iova, 3 * PAGE);
        assertFalse(a.isAllocated(iova / PAGE));
        assertEquals(iova, d.allocIova(3 * PAGE, MASK_64));
    }

    @Test
    void shouldRejectSizesThatAreNotWholeGranulesAndUnalignedFrees() {
        IovaSpace.Device d = space(new TreeIovaAllocator()).device("dev", false);
        var e = assertThrows(IllegalArgumentException.class, () -> d.allocIova(100, MASK_64));
        assertTrue(e.getMessage().contains("dev"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.allocIova(0, MASK_64));
        assertThrows(IllegalArgumentException.class, () -> d.freeIova(0x1234, PAGE));
        assertThrows(IllegalArgumentException.class, () -> d.allocIova(PAGE, 0xFFF));
    }
}
