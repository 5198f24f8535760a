package org.jdma.machine.pci;

import org.jdma.spec.pci.PciConfigLayout;

/**
 * What firmware does to every endpoint before the OS boots (as SeaBIOS's pci_bios_map_devices):
 * sizes each BAR through configuration cycles (write all ones, read back, PCI Local Bus
 * Specification 3.0 §6.2.5.1), gives it a naturally aligned address, and sets Command.Memory Space
 * so the BARs decode. Bus Master Enable is left clear: that is the driver's to set.
 *
 * <p>Addresses are handed out in the order functions are assigned, each BAR by index: 32-bit BARs
 * from the low range of {@link PciHostConfig}; 64-bit BARs from the low range while it has room,
 * else from the high range.
 */
public final class BarAllocator {

    private final PciHostConfig host;
    private long next32;
    private long next64;

    public BarAllocator(PciHostConfig host) {
        this.host = host;
        this.next32 = host.mmio32Base();
        this.next64 = host.mmio64Base();
    }

    /**
     * Sizes and places every BAR of {@code f}, then enables memory decoding.
     *
     * @throws IllegalArgumentException when a BAR does not fit the ranges left, naming it
     */
    public void assign(PciEndpoint f) {
        boolean any = false;
        for (Bar declared : f.bars()) {
            int at = PciConfigLayout.bar(declared.index());
            f.configWrite(at, 4, 0xFFFF_FFFFL);
            long low = f.configRead(at, 4);
            boolean is64 = (low & PciConfigLayout.BAR_MEMORY_TYPE_MASK) == PciConfigLayout.BAR_MEMORY_TYPE_64;
            long mask = low & ~(long) PciConfigLayout.BAR_MEMORY_FLAGS_MASK;
            if (is64) {
                f.configWrite(at + 4, 4, 0xFFFF_FFFFL);
                mask |= f.configRead(at + 4, 4) << 32;
            } else {
                mask |= 0xFFFF_FFFF_0000_0000L;
            }
            long size = -mask;
            long address = place(f, declared.index(), size, is64);
            f.configWrite(at, 4, address & 0xFFFF_FFFFL);
            if (is64) {
                f.configWrite(at + 4, 4, address >>> 32);
            }
            any = true;
        }
        if (any) {
            f.configWrite(PciConfigLayout.COMMAND, 2, f.command() | PciConfigLayout.COMMAND_MEMORY_SPACE);
        }
    }

    private long place(PciEndpoint f, int index, long size, boolean is64) {
        long low = align(next32, size);
        if (low + size <= host.mmio32Limit() && low >= next32) {
            next32 = low + size;
            return low;
        }
        if (is64) {
            long high = align(next64, size);
            if (high + size <= host.mmio64Limit() && high >= next64) {
                next64 = high + size;
                return high;
            }
        }
        throw new IllegalArgumentException(String.format(
                "no room for %s's BAR%d (%#x bytes, %d-bit): the PCI MMIO range [%#x, %#x)%s is full",
                f.name(), index, size, is64 ? 64 : 32, host.mmio32Base(), host.mmio32Limit(),
                is64 ? String.format(" and [%#x, %#x)", host.mmio64Base(), host.mmio64Limit()) : ""));
    }

    private static long align(long address, long size) {
        return (address + size - 1) & -size;
    }
}
