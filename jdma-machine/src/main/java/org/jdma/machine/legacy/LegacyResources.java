package org.jdma.machine.legacy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * What a legacy device occupies on the bus: the I/O port ranges it decodes, at most one interrupt
 * line (ISA IRQ 0..{@value #ISA_IRQS}-1), and DMA channels (0..7, not 4). The bus grants all of
 * them or none.
 *
 * @param ports       port ranges, none overlapping another
 * @param irqLine     the ISA IRQ the device drives, or empty
 * @param dmaChannels DMA channels the device transfers on, ascending, no duplicates
 */
public record LegacyResources(List<PortRange> ports, OptionalInt irqLine, List<Integer> dmaChannels) {

    /** ISA IRQs 0..15; ISA IRQ {@code n} is interrupt controller line {@code n} on this board. */
    public static final int ISA_IRQS = 16;
    /** Channels 0..7 of the two cascaded 8237A controllers. */
    public static final int DMA_CHANNELS = 8;
    /** On a PC/AT, channel 4 of the second 8237A is taken by the first one (cascade mode). */
    public static final int CASCADE_CHANNEL = 4;

    public LegacyResources {
        ports = List.copyOf(ports);
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (ports.get(i).overlaps(ports.get(j))) {
                    throw new IllegalArgumentException("port ranges " + ports.get(i) + " and " + ports.get(j) + " overlap");
                }
            }
        }
        if (irqLine.isPresent() && (irqLine.getAsInt() < 0 || irqLine.getAsInt() >= ISA_IRQS)) {
            throw new IllegalArgumentException("IRQ " + irqLine.getAsInt() + " is not an ISA IRQ (0.." + (ISA_IRQS - 1) + ")");
        }
        TreeSet<Integer> channels = new TreeSet<>();
        for (int c : dmaChannels) {
            if (c < 0 || c >= DMA_CHANNELS) {
                throw new IllegalArgumentException("DMA channel " + c + " does not exist (channels 0.." + (DMA_CHANNELS - 1) + ")");
            }
            if (c == CASCADE_CHANNEL) {
                throw new IllegalArgumentException("DMA channel 4 cascades the first 8237A into the second; no device can use it");
            }
            if (!channels.add(c)) {
                throw new IllegalArgumentException("DMA channel " + c + " is listed twice");
            }
        }
        dmaChannels = List.copyOf(channels);
    }

    /** Only ports: a device that neither interrupts nor transfers. */
    public static LegacyResources of(PortRange... ranges) {
        return new LegacyResources(List.of(ranges), OptionalInt.empty(), List.of());
    }

    /** These resources plus ISA IRQ {@code line}. */
    public LegacyResources withIrq(int line) {
        return new LegacyResources(ports, OptionalInt.of(line), dmaChannels);
    }

    /** These resources plus DMA channel {@code channel}. */
    public LegacyResources withDmaChannel(int channel) {
        List<Integer> more = new ArrayList<>(dmaChannels);
        more.add(channel);
        return new LegacyResources(ports, irqLine, more);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ports");
        ports.forEach(r -> b.append(' ').append(r));
        irqLine.ifPresent(l -> b.append(" irq ").append(l));
        dmaChannels.forEach(c -> b.append(" dma ").append(c));
        return b.toString();
    }
}
