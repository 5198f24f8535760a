package org.jdma.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdma.kernel.acpi.DeviceScope;
import org.jdma.kernel.acpi.DmarParseException;
import org.jdma.kernel.acpi.DmarParser;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.RemappingStructure.Drhd;
import org.jdma.kernel.acpi.RemappingStructure.Rmrr;
import org.jdma.platform.Cpu;
import org.jdma.platform.Platform;
import org.jdma.spec.vtd.VtdCapabilityLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;

/**
 * Prints what an OS learns about DMA remapping before it programs anything: the firmware's DMAR
 * (its DRHDs and RMRRs) and each unit's VER, CAP and ECAP read through MMIO, decoded with
 * {@link VtdCapabilityLayout} (VT-d spec §10.4.2, §10.4.3).
 */
final class IommuSummary {
    private IommuSummary() { }

    static void print(Platform platform, PrintWriter out) {
        Optional<byte[]> raw = platform.acpiTable("DMAR");
        if (raw.isEmpty()) {
            out.println("DMAR: none (this machine has no DMA remapping hardware)");
            return;
        }
        DmarTable table;
        try {
            table = DmarParser.parse(raw.get());
        } catch (DmarParseException e) {
            out.println("DMAR: present but malformed: " + e.getMessage());
            return;
        }
        out.printf("DMAR (ACPI table of the DMA remapping hardware): host address width %d bits%n", table.physicalAddressBits());
        for (Drhd d : table.structuresOf(Drhd.class)) {
            out.printf("  DRHD  unit registers at %#x, segment %d, %s%n", d.registerBase(), d.segment(),
                    d.includePciAll() ? "INCLUDE_PCI_ALL (every device of the segment not claimed by another unit)"
                            : "devices " + scopes(d.scopes()));
        }
        if (table.structuresOf(Rmrr.class).isEmpty()) {
            out.println("  no RMRR (no memory that a device must reach before the OS maps anything for it)");
        }
        for (Rmrr r : table.structuresOf(Rmrr.class)) {
            out.printf("  RMRR  [%#x-%#x] reserved memory that %s may DMA to at any time: must stay identity-mapped%n",
                    r.base(), r.limit(), scopes(r.scopes()));
        }
        Cpu cpu = platform.cpu();
        for (Drhd d : table.structuresOf(Drhd.class)) {
            long base = d.registerBase();
            int ver = cpu.read32(base + VtdRegisterLayout.VER);
            long cap = cpu.read64(base + VtdRegisterLayout.CAP);
            long ecap = cpu.read64(base + VtdRegisterLayout.ECAP);
            out.printf("VT-d unit at %#x (read through MMIO): VER %d.%d, CAP %#018x, ECAP %#018x%n", base,
                    ver >>> 4 & 0xF, ver & 0xF, cap, ecap);
            out.printf("  CAP:  %d-bit IOVAs (%s tables), superpages %s, %,d domain ids, %d fault recording registers at +%#x,%n"
                            + "        caching mode %s, page-selective invalidation %s%n",
                    VtdCapabilityLayout.mgawBits(cap), levels(VtdCapabilityLayout.sagaw(cap)),
                    superpages(VtdCapabilityLayout.sllps(cap)), VtdCapabilityLayout.domainCount(cap),
                    VtdCapabilityLayout.faultRecordCount(cap), VtdCapabilityLayout.fro(cap) * 16,
                    (cap & VtdCapabilityLayout.CAP_CM) != 0 ? "ON (not-present entries may be cached: flush on map too)" : "off",
                    (cap & VtdCapabilityLayout.CAP_PSI) != 0
                            ? "up to " + Sizes.format(4096L << VtdCapabilityLayout.mamv(cap)) + " at once" : "no");
            out.printf("  ECAP: queued invalidation %s, pass-through %s, page walks %s%n",
                    yesNo(ecap & VtdCapabilityLayout.ECAP_QI), yesNo(ecap & VtdCapabilityLayout.ECAP_PT),
                    (ecap & VtdCapabilityLayout.ECAP_C) != 0 ? "snoop the CPU caches (coherent)"
                            : "do not snoop: the kernel flushes its table writes from the CPU cache");
        }
    }

    private static String yesNo(long bit) {
        return bit != 0 ? "yes" : "no";
    }

    private static String levels(int sagaw) {
        List<String> l = new ArrayList<>();
        if ((sagaw & VtdCapabilityLayout.SAGAW_39_BIT) != 0) {
            l.add("3-level");
        }
        if ((sagaw & VtdCapabilityLayout.SAGAW_48_BIT) != 0) {
            l.add("4-level");
        }
        return l.isEmpty() ? "no supported" : String.join(" or ", l);
    }

    private static String superpages(int sllps) {
        List<String> l = new ArrayList<>();
        if ((sllps & VtdCapabilityLayout.SLLPS_2M) != 0) {
            l.add("2 MiB");
        }
        if ((sllps & VtdCapabilityLayout.SLLPS_1G) != 0) {
            l.add("1 GiB");
        }
        return l.isEmpty() ? "none" : String.join(" and ", l);
    }

    private static String scopes(List<DeviceScope> scopes) {
        return scopes.isEmpty() ? "no device" : scopes.stream()
                .map(s -> String.format("%02x:%s", s.startBus(),
                        s.path().stream().map(Object::toString).collect(Collectors.joining("/"))))
                .collect(Collectors.joining(", "));
    }
}
