package org.jdma.machine.dev;

import java.util.Objects;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.spec.pci.RequesterId;

/**
 * One device of a machine configuration: its name, its kind, the kind's options, and where it
 * sits.
 *
 * @param name      instance name, unique in the machine ("memcpy0")
 * @param kind      what makes it
 * @param options   the kind's options
 * @param placement a PCI slot, or legacy resources
 * @param <O>       the kind's option type
 */
public record DeviceSpec<O>(String name, DeviceKind<O> kind, O options, Placement placement) {

    public DeviceSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(placement, "placement");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a device needs a name (kind " + kind.name() + ")");
        }
    }

    /** A device in PCI slot {@code slot}. */
    public static <O> DeviceSpec<O> pci(String name, DeviceKind<O> kind, O options, RequesterId slot) {
        return new DeviceSpec<>(name, kind, options, new Placement.PciSlot(slot));
    }

    /** A device on the legacy bus with {@code resources} (I/O ports, optionally an IRQ line and DMA channels). */
    public static <O> DeviceSpec<O> legacy(String name, DeviceKind<O> kind, O options, LegacyResources resources) {
        return new DeviceSpec<>(name, kind, options, new Placement.Legacy(resources));
    }

    /** Makes the device from its options (the board supplies the context). */
    public Device create(DeviceContext context) {
        return kind.create(options, context);
    }

    @Override
    public String toString() {
        return name + " (" + kind.name() + ") at " + placement;
    }
}
