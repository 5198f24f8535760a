package org.jdma.cli;

import java.io.PrintWriter;
import org.jdma.platform.Cpu;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.memcpy.CopyEngine;
import org.jdma.spec.memcpy.CopyEngineRegisters;
import org.jdma.platform.MemoryMapEntry;
import org.jdma.platform.pci.PciFunction;

/** Prints what an OS learns about a machine: memory map, PCI functions, copy-engine capabilities. */
final class MachineSummary {
    private MachineSummary() { }

    static void print(Machine m, PrintWriter out) {
        out.println("Memory map (what the firmware tells the OS):");
        for (MemoryMapEntry e : m.memoryMap()) {
            out.printf("  %#018x-%#018x  %-8s  %s%n", e.base(), e.end() - 1, e.type(), Sizes.format(e.length()));
        }
        out.println("PCI functions (what enumeration finds):");
        for (PciFunction f : m.pciFunctions()) {
            if (f.isBridge()) {
                out.printf("  %s  %-8s %04x:%04x class %06x  bridge to buses %02x-%02x%n", f.requester(), f.name(),
                        f.vendorId(), f.deviceId(), f.classCode(), f.secondaryBus(), f.subordinateBus());
                continue;
            }
            out.printf("  %s  %-8s %04x:%04x class %06x  BAR0 %#x (%s)%n", f.requester(), f.name(), f.vendorId(),
                    f.deviceId(), f.classCode(), f.barBase(), Sizes.format(f.barSize()));
        }
        Cpu cpu = m.cpu();
        for (PciFunction f : m.pciFunctions()) {
            if (f.vendorId() != CopyEngine.VENDOR_ID || f.deviceId() != CopyEngine.DEVICE_ID) {
                continue;
            }
            int version = cpu.read32(f.barBase() + CopyEngineRegisters.VERSION);
            int cap = cpu.read32(f.barBase() + CopyEngineRegisters.CAP);
            int maxXferShift = cap & CopyEngineRegisters.CAP_MAX_XFER_SHIFT_MASK;
            int alignShift = (cap & CopyEngineRegisters.CAP_ALIGN_SHIFT_MASK) >>> CopyEngineRegisters.CAP_ALIGN_SHIFT_SHIFT;
            int ringShift = (cap & CopyEngineRegisters.CAP_MAX_RING_SHIFT_MASK) >>> CopyEngineRegisters.CAP_MAX_RING_SHIFT_SHIFT;
            int msix = ((cap & CopyEngineRegisters.CAP_MSIX_SIZE_MASK) >>> CopyEngineRegisters.CAP_MSIX_SIZE_SHIFT) + 1;
            out.printf("%s registers (read through MMIO): VERSION %d.%d, CAP %#010x: max transfer %s, address alignment %d B, "
                            + "ring up to %d slots, %d MSI-X vectors%n",
                    f.name(), version >>> 8 & 0xFF, version & 0xFF, cap, Sizes.format(1L << maxXferShift), 1 << alignShift,
                    1 << ringShift, msix);
        }
    }
}
