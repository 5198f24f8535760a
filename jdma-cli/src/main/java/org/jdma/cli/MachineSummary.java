package org.jdma.cli;

import java.io.PrintWriter;
import org.jdma.kernel.pci.PciDevice;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.machine.Machine;
import org.jdma.machine.pci.PciFunction;
import org.jdma.platform.Cpu;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.spec.memcpy.CopyEngineRegisters;

/**
 * Prints what an OS learns about a machine: memory map, PCI functions (found through MCFG and
 * ECAM, as the kernel's enumeration finds them, named by the machine), copy-engine capabilities.
 */
final class MachineSummary {
    private MachineSummary() { }

    static void print(Machine m, PrintWriter out) {
        out.println("Memory map (what the firmware tells the OS):");
        for (MemoryMapEntry e : m.memoryMap()) {
            out.printf("  %#018x-%#018x  %-8s  %s%n", e.base(), e.end() - 1, e.type(), Sizes.format(e.length()));
        }
        PciSubsystem pci = PciSubsystem.scan(m);
        out.println("PCI configuration space (ACPI MCFG): " + String.join("; ", pci.bootLog().stream()
                .map(l -> l.replaceFirst("^PCI: ", "").replace(" (MCFG)", "")).toList()));
        out.println("PCI functions (what enumeration finds):");
        for (PciDevice f : pci.devices()) {
            if (f.isBridge()) {
                out.printf("  %s  %-8s %04x:%04x class %06x  bridge to buses %02x-%02x%n", f.requester(), name(m, f),
                        f.vendorId(), f.deviceId(), f.classCode(), f.secondaryBus(), f.subordinateBus());
                continue;
            }
            String bar = f.bar(0).map(b -> String.format("BAR0 %#x (%s)", b.base(), Sizes.format(b.size()))).orElse("no BAR0");
            out.printf("  %s  %-8s %04x:%04x class %06x  %s%n", f.requester(), name(m, f), f.vendorId(),
                    f.deviceId(), f.classCode(), bar);
        }
        Cpu cpu = m.cpu();
        for (PciDevice f : pci.find(CopyEngineRegisters.VENDOR_ID, CopyEngineRegisters.DEVICE_ID)) {
            long base = f.bar(0).orElseThrow().base();
            int version = cpu.read32(base + CopyEngineRegisters.VERSION);
            int cap = cpu.read32(base + CopyEngineRegisters.CAP);
            int maxXferShift = cap & CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK;
            int alignShift = (cap & CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK) >>> CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT;
            int ringShift = (cap & CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK) >>> CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT;
            int msix = ((cap & CopyEngineRegisters.CAP_MSIX_SIZE_MASK) >>> CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT) + 1;
            out.printf("%s registers (read through MMIO): VERSION %d.%d, CAP %#010x: max transfer %s, address alignment %d B, "
                            + "ring up to %d slots, %d MSI-X vectors%n",
                    name(m, f), version >>> 8 & 0xFF, version & 0xFF, cap, Sizes.format(1L << maxXferShift), 1 << alignShift,
                    1 << ringShift, msix);
        }
    }

    /** The name the machine's configuration gives the function at {@code f}'s requester id. */
    private static String name(Machine m, PciDevice f) {
        PciFunction fn = m.pciHost().ecam().at(f.requester());
        return fn == null ? "?" : fn.name();
    }
}
