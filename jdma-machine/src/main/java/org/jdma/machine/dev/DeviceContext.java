package org.jdma.machine.dev;

import java.util.Objects;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.memory.MmioSpace;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * What the board hands a device when it makes it ({@link DeviceKind#create}): everything the
 * device may touch of the machine, and nothing more. Which of the two a device gets follows the
 * placement of its {@link DeviceSpec}: a PCI function gets its path to memory and the MMIO space
 * its BARs decode in; a legacy device gets the resources its placement names, and the legacy bus
 * hands it its IRQ line and DMA channels when it plugs the device in
 * ({@link org.jdma.machine.legacy.LegacyDevice#attach}).
 */
public sealed interface DeviceContext permits DeviceContext.Pci, DeviceContext.Legacy {

    /** The instance name from its {@link DeviceSpec}. */
    String name();

    /** The event kernel: virtual time, scheduling, the seeded random source, the trace. */
    EventKernel kernel();

    /** Where the device sits. */
    Placement placement();

    /**
     * A PCI function's context.
     *
     * @param name      the instance name from its {@link DeviceSpec}
     * @param requester the requester id its DMA carries (its PCI slot)
     * @param kernel    the event kernel
     * @param port      its only path to memory and to the interrupt controller
     * @param mmio      where its register windows (BARs) may decode
     */
    record Pci(String name, RequesterId requester, EventKernel kernel, DmaPort port, MmioSpace mmio) implements DeviceContext {
        public Pci {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(requester, "requester");
            Objects.requireNonNull(kernel, "kernel");
            Objects.requireNonNull(port, "port");
            Objects.requireNonNull(mmio, "mmio");
        }

        @Override
        public Placement placement() {
            return new Placement.PciSlot(requester);
        }
    }

    /**
     * A legacy device's context: the resources its placement names, which the device asks the
     * legacy bus for ({@link org.jdma.machine.legacy.LegacyDevice#resources()}).
     *
     * @param name      the instance name from its {@link DeviceSpec}
     * @param resources the I/O ports, IRQ line and DMA channels of its placement
     * @param kernel    the event kernel
     */
    record Legacy(String name, LegacyResources resources, EventKernel kernel) implements DeviceContext {
        public Legacy {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(resources, "resources");
            Objects.requireNonNull(kernel, "kernel");
        }

        @Override
        public Placement placement() {
            return new Placement.Legacy(resources);
        }
    }
}
