package org.jdma.spec.pci;

/**
 * PCI configuration mechanism #1: the CONFIG_ADDRESS register at I/O port 0xCF8 and the
 * CONFIG_DATA window at 0xCFC-0xCFF (PCI Local Bus Specification 3.0 §3.2.2.3.2). Software writes
 * a DWORD to CONFIG_ADDRESS to select a function and a DWORD register, then reads or writes
 * CONFIG_DATA with byte, word or DWORD accesses (port 0xCFC + n reaches byte n of the register):
 *
 * <pre>
 *   31 | 30..24   | 23..16 | 15..11 | 10..8    | 7..2     | 1..0
 *   E  | reserved | bus    | device | function | register | 00
 * </pre>
 *
 * E (Enable) must be set for CONFIG_DATA to reach configuration space; with it clear the host
 * bridge does not claim the access (reads return all ones). Only the first 256 bytes of a
 * function are reachable this way; the extended space needs ECAM ({@link EcamLayout}). Only a
 * DWORD access to 0xCF8 is CONFIG_ADDRESS; other widths there are other chipset registers.
 */
public final class ConfigAddressLayout {
    private ConfigAddressLayout() { }

    public static final int ADDRESS_PORT = 0xCF8;
    public static final int DATA_PORT = 0xCFC;
    /** Ports 0xCF8-0xCFF. */
    public static final int PORT_COUNT = 8;

    public static final int ENABLE = 1 << 31;
    public static final int RESERVED_MASK = 0x7F00_0000;
    public static final int BUS_SHIFT = 16;
    public static final int DEVICE_SHIFT = 11;
    public static final int FUNCTION_SHIFT = 8;
    /** Bits 7..2: the DWORD register; bits 1..0 are always 0. */
    public static final int REGISTER_MASK = 0xFC;

    /** The CONFIG_ADDRESS value that selects {@code register} (its DWORD) of a function, enabled. */
    public static int address(int bus, int device, int function, int register) {
        return ENABLE | (bus & EcamLayout.BUS_MASK) << BUS_SHIFT | (device & EcamLayout.DEVICE_MASK) << DEVICE_SHIFT
                | (function & EcamLayout.FUNCTION_MASK) << FUNCTION_SHIFT | register & REGISTER_MASK;
    }

    /** The ECAM offset CONFIG_ADDRESS {@code address} and CONFIG_DATA byte {@code dataByte} (0..3) reach. */
    public static long ecamOffset(int address, int dataByte) {
        return EcamLayout.offset(address >>> BUS_SHIFT & EcamLayout.BUS_MASK, address >>> DEVICE_SHIFT & EcamLayout.DEVICE_MASK,
                address >>> FUNCTION_SHIFT & EcamLayout.FUNCTION_MASK, (address & REGISTER_MASK) + dataByte);
    }
}
