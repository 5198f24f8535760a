package org.jdma.machine.legacy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jdma.machine.bus.DmaOrigin;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.memory.IoPortClaim;
import org.jdma.machine.memory.IoPortHandler;
import org.jdma.machine.memory.IoPortSpace;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * The legacy (ISA-style) bus behind the chipset's LPC bridge, at {@link #LPC_BRIDGE} 00:1f.0 on
 * Intel chipsets (the "LPC Interface Bridge, D31:F0" of the ICH and PCH datasheets). Devices on
 * it are plugged with {@link #plug}: each claims I/O port ranges, at most one ISA IRQ and DMA
 * channels, and the bus grants all of a device's claims or refuses the device, naming the device
 * that already holds what it asked for. Nothing is claimed by a refused device.
 *
 * <ul>
 *   <li><b>Ports</b> are claimed in the machine's {@link IoPortSpace} under the device's name.
 *       Every CPU access to them reaches the device as byte cycles ({@link LegacyDevice}).</li>
 *   <li><b>IRQ</b> {@code n} drives input {@code n} of the interrupt controller (the identity
 *       mapping of ISA IRQs to I/O APIC inputs; the MADT's interrupt source overrides are not
 *       modeled). Two devices never share a line.</li>
 *   <li><b>DMA channel</b> {@code c} gets its own {@link DmaPort} whose origin is
 *       {@link DmaOrigin.LegacyChannel}{@code (c, bridge)}: its requests carry the bridge's
 *       requester id, so the IOMMU unit whose DMAR scope covers 00:1f.0 translates them.</li>
 * </ul>
 *
 * <p>DMA: a machine with legacy devices installs the two 8237A controllers
 * ({@link #dmaController(IsaDmaController)}); they claim ports 0x00-0x0F, 0x80-0x8F and
 * 0xC0-0xDF and drive each channel's port ({@link #channelPort(int)}) from their address, count
 * and page registers, while a device only drives DREQ and answers DACK
 * ({@link LegacyDeviceContext#dmaRequest}). An ISA bus master (a card whose channel software puts
 * in cascade mode) drives its own addresses on the port its context gives it
 * ({@link LegacyDeviceContext#dmaPort}); the bus does not stop such a card from using that port
 * without a grant (the IOMMU, if one covers the bridge, is the only check).
 *
 * <p>Thread use: the machine's event thread.
 */
public final class LegacyBus {

    /** The LPC bridge of Intel chipsets: bus 0, device 31, function 0. */
    public static final RequesterId LPC_BRIDGE = RequesterId.of(0, 0x1F, 0);

    /** Makes the path to memory of one DMA channel (the machine wires it to RAM and its IOMMU). */
    @FunctionalInterface
    public interface ChannelPortFactory {
        DmaPort create(String name, DmaOrigin.LegacyChannel origin);
    }

    private final RequesterId bridge;
    private final IoPortSpace ioPorts;
    private final InterruptController interrupts;
    private final EventKernel kernel;
    private final ChannelPortFactory channelPorts;
    private final Map<String, LegacyDevice> devices = new HashMap<>();
    private final List<LegacyDevice> plugOrder = new ArrayList<>();
    private final TreeMap<Integer, String> irqOwners = new TreeMap<>();
    private final TreeMap<Integer, String> channelOwners = new TreeMap<>();
    private final Map<Integer, DmaPort> channelPortsByNumber = new HashMap<>();
    private long ioCycles;
    private IsaDmaController dmaController;

    public LegacyBus(RequesterId bridge, IoPortSpace ioPorts, InterruptController interrupts, EventKernel kernel,
                     ChannelPortFactory channelPorts) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.ioPorts = Objects.requireNonNull(ioPorts, "ioPorts");
        this.interrupts = Objects.requireNonNull(interrupts, "interrupts");
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.channelPorts = Objects.requireNonNull(channelPorts, "channelPorts");
        if (LegacyResources.ISA_IRQS > interrupts.legacyLines()) {
            throw new IllegalArgumentException("the interrupt controller has " + interrupts.legacyLines()
                    + " lines; the legacy bus needs " + LegacyResources.ISA_IRQS);
        }
    }

    /** The bridge whose requester id legacy DMA carries. */
    public RequesterId bridge() {
        return bridge;
    }

    /**
     * Plugs {@code device}: grants its resources and attaches it.
     *
     * @return the context the device was attached with
     * @throws IllegalArgumentException naming the device and the current owner when the name is
     *         taken or a port, the IRQ or a channel is already claimed; nothing is claimed then
     */
    public LegacyDeviceContext plug(LegacyDevice device) {
        String name = device.name();
        LegacyResources wanted = Objects.requireNonNull(device.resources(), name + ": resources");
        checkFree(name, wanted);
        List<IoPortClaim> claimed = new ArrayList<>();
        for (PortRange r : wanted.ports()) {
            claimed.add(ioPorts.claim(name, r.first(), r.count(), byteCycles(device, r.first())));
        }
        Map<Integer, DmaPort> ports = new TreeMap<>();
        for (int c : wanted.dmaChannels()) {
            channelOwners.put(c, name);
            ports.put(c, channelPort(c));
        }
        wanted.irqLine().ifPresent(l -> irqOwners.put(l, name));
        devices.put(name, device);
        plugOrder.add(device);
        LegacyDeviceContext ctx = new LegacyDeviceContext(name, wanted, bridge, kernel, interrupts, ports, this);
        device.attach(ctx);
        return ctx;
    }

    /** Refuses {@code wanted} before anything is claimed, naming what holds a resource already. */
    private void checkFree(String name, LegacyResources wanted) {
        if (devices.containsKey(name)) {
            throw new IllegalArgumentException("a legacy device named " + name + " is already plugged");
        }
        for (PortRange r : wanted.ports()) {
            IoPortClaim c = ioPorts.overlapping(r.first(), r.count());
            if (c != null) {
                throw new IllegalArgumentException(name + " cannot claim I/O ports " + r + ": " + c + " already claims them");
            }
        }
        if (wanted.irqLine().isPresent() && irqOwners.containsKey(wanted.irqLine().getAsInt())) {
            int l = wanted.irqLine().getAsInt();
            throw new IllegalArgumentException(name + " cannot claim IRQ " + l + ": " + irqOwners.get(l) + " already claims it");
        }
        for (int c : wanted.dmaChannels()) {
            if (channelOwners.containsKey(c)) {
                throw new IllegalArgumentException(name + " cannot claim DMA channel " + c + ": "
                        + channelOwners.get(c) + " already claims it");
            }
        }
    }

    /**
     * The claim's handler: the LPC bridge's byte-wide I/O cycles. A wider access inside the claim
     * becomes consecutive byte cycles in ascending port order (ICH4 datasheet §5.3.1.1).
     */
    private IoPortHandler byteCycles(LegacyDevice device, int first) {
        return new IoPortHandler() {
            @Override
            public int read(int offset, int width) {
                int value = 0;
                for (int i = 0; i < width; i++) {
                    ioCycles++;
                    value |= (device.ioRead(first + offset + i) & 0xFF) << (8 * i);
                }
                return value;
            }

            @Override
            public void write(int offset, int width, int value) {
                for (int i = 0; i < width; i++) {
                    ioCycles++;
                    device.ioWrite(first + offset + i, (value >>> (8 * i)) & 0xFF);
                }
            }
        };
    }

    /** The plugged devices, in plug order. */
    public List<LegacyDevice> devices() {
        return List.copyOf(plugOrder);
    }

    public Optional<LegacyDevice> device(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    /** Who drives ISA IRQ {@code line}, if anyone. */
    public Optional<String> irqOwner(int line) {
        return Optional.ofNullable(irqOwners.get(line));
    }

    /** Who transfers on DMA channel {@code channel}, if anyone. */
    public Optional<String> channelOwner(int channel) {
        return Optional.ofNullable(channelOwners.get(channel));
    }

    /** The path to memory of DMA channel {@code channel}, if a device claimed it. */
    public Optional<DmaPort> dmaPort(int channel) {
        return channelOwners.containsKey(channel) ? Optional.of(channelPort(channel)) : Optional.empty();
    }

    /**
     * The path to memory of DMA channel {@code channel} (0-7), made when first asked for: the DMA
     * controllers drive it, whether or not a device claimed the channel (memory to memory uses
     * channels 0 and 1 with no device).
     */
    public DmaPort channelPort(int channel) {
        return channelPortsByNumber.computeIfAbsent(channel, c -> {
            String owner = channelOwners.getOrDefault(c, "isa");
            return channelPorts.create(owner + ".dma" + c, new DmaOrigin.LegacyChannel(c, bridge));
        });
    }

    /** Installs the bus's DMA controllers (once). */
    public void dmaController(IsaDmaController controller) {
        if (dmaController != null) {
            throw new IllegalStateException("the legacy bus has its DMA controllers already");
        }
        this.dmaController = Objects.requireNonNull(controller, "controller");
    }

    /** The bus's DMA controllers, if installed. */
    public Optional<IsaDmaController> dmaController() {
        return Optional.ofNullable(dmaController);
    }

    /** Byte-wide I/O cycles the bridge has forwarded to its devices. */
    public long ioCycles() {
        return ioCycles;
    }

    /** Asserts the bus's RESET: every device returns to its power-on state. */
    public void reset() {
        plugOrder.forEach(LegacyDevice::reset);
        if (dmaController != null) {
            dmaController.reset();
        }
    }
}
