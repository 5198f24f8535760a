package org.jdma.kernel.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a legacy (ISA-style) device occupies, as its driver declares it: I/O port ranges, at most
 * one IRQ line, and DMA channels. ISA devices cannot be enumerated, so the driver names these
 * (Linux {@code isa_driver}: the driver's module parameters give {@code io}, {@code irq} and
 * {@code dma}), the kernel claims them for it, and its probe checks that the hardware answers.
 *
 * @param ports       port ranges, at least one, none overlapping another
 * @param irqLine     the ISA IRQ line (interrupt controller input 0..15), if the device interrupts
 * @param dmaChannels 8237 DMA channels (0..3 and 5..7; 4 cascades the two controllers), each once
 */
public record LegacyResources(List<PortRange> ports, OptionalInt irqLine, List<Integer> dmaChannels) {

    /** ISA IRQ lines: 0..15 (two cascaded 8259s, or the first 16 I/O APIC inputs). */
    public static final int ISA_IRQ_LINES = 16;
    /** The 8237 channel that cascades the slave controller into the master; no device can have it. */
    public static final int CASCADE_CHANNEL = 4;
    /** 8237 channels: 0..7 on two controllers. */
    public static final int DMA_CHANNELS = 8;

    public LegacyResources {
        ports = List.copyOf(Objects.requireNonNull(ports, "ports"));
        Objects.requireNonNull(irqLine, "irqLine");
        dmaChannels = List.copyOf(Objects.requireNonNull(dmaChannels, "dmaChannels"));
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("a legacy device needs at least one port range: its probe finds it there");
        }
        for (int i = 0; i < ports.size(); i++) {
            for (int j = i + 1; j < ports.size(); j++) {
                if (ports.get(i).overlaps(ports.get(j))) {
                    throw new IllegalArgumentException(ports.get(i) + " and " + ports.get(j) + " overlap");
                }
            }
        }
        if (irqLine.isPresent() && (irqLine.getAsInt() < 0 || irqLine.getAsInt() >= ISA_IRQ_LINES)) {
            throw new IllegalArgumentException("ISA IRQ " + irqLine.getAsInt() + " is outside 0.." + (ISA_IRQ_LINES - 1));
        }
        List<Integer> seen = new ArrayList<>();
        for (int c : dmaChannels) {
            if (c < 0 || c >= DMA_CHANNELS || c == CASCADE_CHANNEL) {
                throw new IllegalArgumentException("DMA channel " + c + " is not one of 0-3, 5-7 (4 cascades the controllers)");
            }
            if (seen.contains(c)) {
                throw new IllegalArgumentException("DMA channel " + c + " is named twice");
            }
            seen.add(c);
        }
    }

    /** A device decoding {@code ports}, with no IRQ line and no DMA channel (add them with the {@code with} methods). */
    public static LegacyResources of(PortRange... ports) {
        return new LegacyResources(List.of(ports), OptionalInt.empty(), List.of());
    }

    public LegacyResources withIrq(int line) {
        return new LegacyResources(ports, OptionalInt.of(line), dmaChannels);
    }

    public LegacyResources withDmaChannel(int channel) {
        List<Integer> c = new ArrayList<>(dmaChannels);
        c.add(channel);
        return new LegacyResources(ports, irqLine, c);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (PortRange r : ports) {
            s.append(s.isEmpty() ? "" : ", ").append(r);
        }
        irqLine.ifPresent(l -> s.append(", IRQ ").append(l));
        for (int c : dmaChannels) {
            s.append(", DMA ").append(c);
        }
        return s.toString();
    }
}
