package org.jdma.machine.dev;

import java.util.Objects;
import java.util.OptionalInt;
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
     * A legacy device: I/O ports [ioPortBase, ioPortBase + ioPortCount), optionally an IRQ line
     * and an ISA DMA channel. Its DMA reaches memory through the DMA controller and the LPC
     * bridge's requester id. TODO: the machine refuses this placement until the legacy bus
     * exists; until then no legacy device can be plugged in.
     */
    record Legacy(int ioPortBase, int ioPortCount, OptionalInt irqLine, OptionalInt dmaChannel) implements Placement {
        public Legacy {
            Objects.requireNonNull(irqLine, "irqLine");
            Objects.requireNonNull(dmaChannel, "dmaChannel");
            if (ioPortBase < 0 || ioPortCount < 0 || ioPortBase + ioPortCount > 0x1_0000) {
                throw new IllegalArgumentException(String.format("I/O ports [%#x, +%d) are outside 0..0xffff", ioPortBase, ioPortCount));
            }
            if (irqLine.isPresent() && (irqLine.getAsInt() < 0 || irqLine.getAsInt() > 15)) {
                throw new IllegalArgumentException("IRQ line " + irqLine.getAsInt() + " is outside 0..15");
            }
            if (dmaChannel.isPresent() && (dmaChannel.getAsInt() < 0 || dmaChannel.getAsInt() > 7)) {
                throw new IllegalArgumentException("DMA channel " + dmaChannel.getAsInt() + " is outside 0..7");
            }
        }

        @Override
        public String toString() {
            return String.format("ports %#x+%d%s%s", ioPortBase, ioPortCount,
                    irqLine.isPresent() ? " irq " + irqLine.getAsInt() : "",
                    dmaChannel.isPresent() ? " dma " + dmaChannel.getAsInt() : "");
        }
    }
}
