package org.jdma.machine.pci;

import org.jdma.spec.pci.EcamLayout;

/**
 * Where the host bridge puts PCI in the physical address map: the ECAM window of segment 0 and
 * the ranges firmware assigns BARs from.
 *
 * <p>The default follows QEMU's q35 machine where it can: ECAM at 0xB000_0000 for buses 00-ff
 * (256 MiB, inside the 2-4 GiB PCI hole, clear of RAM and of everything else the machine maps);
 * 32-bit BARs from 0xF000_0000 up to the I/O APIC's page at 0xFEC0_0000 (the VT-d registers at
 * 0xFED9_0000 and the interrupt range at 0xFEE0_0000 lie above); 64-bit BARs in the same low range
 * while it has room (as SeaBIOS does), else from 512 GiB up to 1 TiB, above any RAM a
 * configuration here has.
 *
 * @param ecamBase    base of the ECAM window (the address of bus 0), aligned to the window's size
 * @param endBus      the last bus the window covers, 0..255
 * @param mmio32Base  first address of the range below 4 GiB that BARs are assigned from
 * @param mmio32Limit end (exclusive) of that range, at most 4 GiB
 * @param mmio64Base  first address of the range above 4 GiB for 64-bit BARs the low range cannot take
 * @param mmio64Limit end (exclusive) of that range
 */
public record PciHostConfig(long ecamBase, int endBus, long mmio32Base, long mmio32Limit, long mmio64Base, long mmio64Limit) {

    private static final long FOUR_GIB = 1L << 32;

    public static final PciHostConfig DEFAULT = new PciHostConfig(0xB000_0000L, 0xFF, 0xF000_0000L, 0xFEC0_0000L,
            0x80_0000_0000L, 0x100_0000_0000L);

    public PciHostConfig {
        if (endBus < 0 || endBus > EcamLayout.BUS_MASK) {
            throw new IllegalArgumentException("ECAM end bus must be 0..ff, was " + endBus);
        }
        long size = EcamLayout.regionEnd(endBus);
        long alignment = Long.highestOneBit(size) == size ? size : Long.highestOneBit(size) << 1;
        if (ecamBase < 0 || ecamBase % alignment != 0) {
            throw new IllegalArgumentException(String.format("ECAM base %#x must be aligned to %#x (buses 00-%02x)", ecamBase, alignment, endBus));
        }
        if (mmio32Base < 0 || mmio32Base >= mmio32Limit || mmio32Limit > FOUR_GIB) {
            throw new IllegalArgumentException(String.format("32-bit MMIO range [%#x, %#x) must be non-empty and below 4 GiB",
                    mmio32Base, mmio32Limit));
        }
        if (mmio64Base < FOUR_GIB || mmio64Base >= mmio64Limit) {
            throw new IllegalArgumentException(String.format("64-bit MMIO range [%#x, %#x) must be non-empty and above 4 GiB",
                    mmio64Base, mmio64Limit));
        }
    }

    /** Bytes of the ECAM window. */
    public long ecamSize() {
        return EcamLayout.regionEnd(endBus);
    }
}
