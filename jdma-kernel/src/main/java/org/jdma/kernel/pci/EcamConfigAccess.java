package org.jdma.kernel.pci;

import java.util.Optional;
import org.jdma.kernel.acpi.McfgAllocation;
import org.jdma.kernel.acpi.McfgTable;
import org.jdma.platform.Cpu;
import org.jdma.spec.pci.EcamLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * Configuration access through the memory-mapped regions the MCFG table names (ECAM, PCI Express
 * Base Specification 4.0 §7.2.2; Linux {@code pci_mmcfg_read}/{@code pci_mmcfg_write}): each access
 * is one uncached CPU load or store at base + (bus, device, function, register). A function outside
 * every region reads all ones and ignores writes (Linux returns PCIBIOS_DEVICE_NOT_FOUND and
 * all ones). Registers outside 0..0xfff or accesses that are not naturally aligned are a kernel
 * bug and throw.
 */
public final class EcamConfigAccess implements ConfigAccess {

    private final Cpu cpu;
    private final McfgTable mcfg;

    public EcamConfigAccess(Cpu cpu, McfgTable mcfg) {
        this.cpu = cpu;
        this.mcfg = mcfg;
    }

    public McfgTable mcfg() {
        return mcfg;
    }

    @Override
    public boolean reaches(RequesterId function) {
        return mcfg.allocationFor(function).isPresent();
    }

    private Optional<Long> address(RequesterId function, int register, int size) {
        if (register < 0 || register + size > EcamLayout.BYTES_PER_FUNCTION || register % size != 0) {
            throw new IllegalArgumentException(String.format("%s: configuration register %#x is not a naturally aligned "
                    + "%d-byte field inside the 4 KiB configuration space", function, register, size));
        }
        return mcfg.allocationFor(function).map(a -> a.configAddress(function, register));
    }

    @Override
    public int read8(RequesterId function, int register) {
        return address(function, register, 1).map(a -> cpu.read8(a) & 0xFF).orElse(0xFF);
    }

    @Override
    public int read16(RequesterId function, int register) {
        return address(function, register, 2).map(a -> cpu.read16(a) & 0xFFFF).orElse(0xFFFF);
    }

    @Override
    public int read32(RequesterId function, int register) {
        return address(function, register, 4).map(cpu::read32).orElse(-1);
    }

    @Override
    public void write8(RequesterId function, int register, int value) {
        address(function, register, 1).ifPresent(a -> cpu.write8(a, value));
    }

    @Override
    public void write16(RequesterId function, int register, int value) {
        address(function, register, 2).ifPresent(a -> cpu.write16(a, value));
    }

    @Override
    public void write32(RequesterId function, int register, int value) {
        address(function, register, 4).ifPresent(a -> cpu.write32(a, value));
    }

    /** The region a function's configuration space is in, for reports. */
    public Optional<McfgAllocation> allocationFor(RequesterId function) {
        return mcfg.allocationFor(function);
    }
}
