package org.jdma.machine.pci;

import org.jdma.machine.memory.IoPortHandler;
import org.jdma.spec.pci.ConfigAddressLayout;

/**
 * The host bridge's configuration mechanism #1 ({@link ConfigAddressLayout}): CONFIG_ADDRESS at
 * 0xCF8, CONFIG_DATA at 0xCFC-0xCFF, forwarded to the same functions ECAM reaches, so an OS may use
 * either. A CONFIG_DATA access with Enable clear, or one that would leave the selected DWORD, is
 * not claimed: reads return all ones and writes are dropped. Accesses to 0xCF8 narrower than a
 * DWORD, or to 0xCF9-0xCFB, are not CONFIG_ADDRESS (on a PC they are reset control and other
 * chipset registers, not modelled): they read all ones and are dropped.
 */
public final class ConfigPorts implements IoPortHandler {

    private static final int DATA_OFFSET = ConfigAddressLayout.DATA_PORT - ConfigAddressLayout.ADDRESS_PORT;

    private final Ecam ecam;
    private int address;

    public ConfigPorts(Ecam ecam) {
        this.ecam = ecam;
    }

    @Override
    public synchronized int read(int offset, int width) {
        if (offset == 0 && width == 4) {
            return address;
        }
        int dataByte = offset - DATA_OFFSET;
        if (!claimsData(dataByte, width)) {
            return allOnes(width);
        }
        return (int) ecam.read(ConfigAddressLayout.ecamOffset(address, dataByte), width);
    }

    @Override
    public synchronized void write(int offset, int width, int value) {
        if (offset == 0 && width == 4) {
            address = value & ~(ConfigAddressLayout.RESERVED_MASK | 0x3); // reserved bits and bits 1..0 read as 0
            return;
        }
        int dataByte = offset - DATA_OFFSET;
        if (claimsData(dataByte, width)) {
            ecam.write(ConfigAddressLayout.ecamOffset(address, dataByte), width, value & 0xFFFF_FFFFL);
        }
    }

    private boolean claimsData(int dataByte, int width) {
        return (address & ConfigAddressLayout.ENABLE) != 0 && dataByte >= 0 && dataByte + width <= 4;
    }

    private static int allOnes(int width) {
        return width == 4 ? -1 : (1 << (8 * width)) - 1;
    }
}
