package org.jdma.machine.dev;

import java.util.Objects;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.spec.pci.RequesterId;

/** Where a device sits: a PCI slot, or the resources of a legacy (ISA-style) device. */
public sealed interface Placement permits Placement.PciSlot, Placement.Legacy {

    /** A PCI function at {@code requester} (segment:bus:device.function). */
    record PciSlot(RequesterId requester) implements Placement {
        public PciSlot {
            Objects.requireNonNull(requester, "requester");
        }

        @Override
        public String toString() {
            return requester.toString();
        }
    }

    /**
     * A device on the legacy bus behind the LPC bridge: its I/O port ranges, optionally an ISA
     * IRQ line, and ISA DMA channels ({@link LegacyResources} checks their ranges). The bus grants
     * them all when the machine is built, or the machine is refused naming the device that holds
     * what was asked for. Its DMA reaches memory with the LPC bridge's requester id.
     */
    record Legacy(LegacyResources resources) implements Placement {
        public Legacy {
            Objects.requireNonNull(resources, "resources");
        }

        @Override
        public String toString() {
            return "legacy " + resources;
        }
    }
}
