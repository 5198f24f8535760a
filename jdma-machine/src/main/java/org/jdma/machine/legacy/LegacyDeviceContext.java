package org.jdma.machine.legacy;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * What the legacy bus hands a device it has plugged: the resources it was granted and the means
 * to use them. Its interrupt line ({@link #raiseIrq}, {@link #lowerIrq}, {@link #pulseIrq}) and a
 * {@link DmaPort} per DMA channel, whose origin is that channel behind the bus's bridge, so the
 * IOMMU translates the device's transfers with the bridge's requester id.
 *
 * <p>Calling the interrupt methods without an IRQ, or asking for a channel that was not granted,
 * is a bug in the device model, not something software can cause: an {@link IllegalStateException}
 * naming the device.
 */
public final class LegacyDeviceContext {

    private final String name;
    private final LegacyResources resources;
    private final RequesterId bridge;
    private final EventKernel kernel;
    private final InterruptController interrupts;
    private final Map<Integer, DmaPort> channels;
    private final LegacyBus bus;

    LegacyDeviceContext(String name, LegacyResources resources, RequesterId bridge, EventKernel kernel,
                        InterruptController interrupts, Map<Integer, DmaPort> channels, LegacyBus bus) {
        this.bus = bus;
        this.name = name;
        this.resources = resources;
        this.bridge = bridge;
        this.kernel = kernel;
        this.interrupts = interrupts;
        this.channels = Map.copyOf(channels);
    }

    public String name() { return name; }

    /** The resources the bus granted (exactly those the device asked for). */
    public LegacyResources resources() { return resources; }

    public List<PortRange> ports() { return resources.ports(); }

    public OptionalInt irqLine() { return resources.irqLine(); }

    /** The bridge whose requester id the device's DMA carries (the LPC bridge, 00:1f.0). */
    public RequesterId bridge() { return bridge; }

    /** The machine's event kernel, for the device's timers and its notion of now. */
    public EventKernel kernel() { return kernel; }

    /** Drives the device's IRQ line high (a level device holds it until {@link #lowerIrq}). */
    public void raiseIrq() {
        interrupts.assertLine(line());
    }

    /** Drives the device's IRQ line low. */
    public void lowerIrq() {
        interrupts.deassertLine(line());
    }

    /** One rising and falling edge on the device's IRQ line: how an ISA device interrupts. */
    public void pulseIrq() {
        interrupts.pulseLine(line());
    }

    private int line() {
        return resources.irqLine().orElseThrow(() -> new IllegalStateException(name + " claimed no IRQ line"));
    }

    /** The DMA channels granted, ascending. */
    public List<Integer> dmaChannels() { return resources.dmaChannels(); }

    /**
     * The path to memory of DMA channel {@code channel}, for an ISA bus master that drives its own
     * addresses once software put its channel in cascade mode and the controller granted it the
     * bus ({@link DmaHandshake#busGranted()}). A device the 8237A serves uses {@link #dmaRequest}.
     */
    public DmaPort dmaPort(int channel) {
        DmaPort p = channels.get(channel);
        if (p == null) {
            throw new IllegalStateException(name + " was not granted DMA channel " + channel + " (it has " + dmaChannels() + ")");
        }
        return p;
    }

    /**
     * Connects the device to the DMA controller on granted channel {@code channel}: the returned
     * line is its DREQ, and {@code handshake} is called at each DACK and at terminal count.
     *
     * @throws IllegalStateException when the channel was not granted or the bus has no DMA controllers
     */
    public DmaRequestLine dmaRequest(int channel, DmaHandshake handshake) {
        dmaPort(channel); // granted?
        IsaDmaController c = bus.dmaController().orElseThrow(() -> new IllegalStateException(
                name + ": the legacy bus has no DMA controllers to serve channel " + channel));
        return c.connect(channel, handshake);
    }
}
