package org.jdma.machine.dev;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A kind of device: makes one from its options and what the board hands it. Each device package
 * exports its kind as a constant ({@code CopyEngine.KIND}, made with {@link #pci};
 * {@code CountdownTimer.KIND}, made with {@link #legacy}); a machine configuration names kinds in
 * its {@link DeviceSpec}s, so adding a device to a machine is one line of configuration and no
 * registry.
 *
 * <p>The board makes the {@link DeviceContext} the spec's placement calls for and hands it to
 * {@link #create}. A kind made with {@link #pci} or {@link #legacy} refuses the other placement
 * with an {@link IllegalArgumentException} that names the device and where it was placed; a kind
 * whose devices can sit on either bus is made with {@link #of} and looks at the context itself.
 *
 * @param <O> the kind's options (timing and sizes, with units and defaults)
 */
public interface DeviceKind<O> {

    /** A short name for messages and reports ("memcpy"). */
    String name();

    /** Makes the device {@code context} describes, configured by {@code options}. */
    Device create(O options, DeviceContext context);

    /** A kind called {@code name} whose devices {@code factory} makes, in whichever placement. */
    static <O> DeviceKind<O> of(String name, BiFunction<? super O, DeviceContext, ? extends Device> factory) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        return new DeviceKind<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Device create(O options, DeviceContext context) {
                return factory.apply(options, context);
            }

            @Override
            public String toString() {
                return "DeviceKind[" + name + "]";
            }
        };
    }

    /** A kind of PCI device: its specs must place it in a PCI slot. */
    static <O> DeviceKind<O> pci(String name, BiFunction<? super O, DeviceContext.Pci, ? extends Device> factory) {
        Objects.requireNonNull(factory, "factory");
        return of(name, (options, context) -> switch (context) {
            case DeviceContext.Pci pci -> factory.apply(options, pci);
            case DeviceContext.Legacy legacy -> throw misplaced(name, legacy, "a PCI device: place it in a PCI slot");
        });
    }

    /** A kind of legacy device: its specs must place it on the legacy bus (I/O ports, IRQ, DMA channels). */
    static <O> DeviceKind<O> legacy(String name, BiFunction<? super O, DeviceContext.Legacy, ? extends Device> factory) {
        Objects.requireNonNull(factory, "factory");
        return of(name, (options, context) -> switch (context) {
            case DeviceContext.Legacy legacy -> factory.apply(options, legacy);
            case DeviceContext.Pci pci -> throw misplaced(name, pci, "a legacy device: give it I/O ports on the legacy bus");
        });
    }

    private static IllegalArgumentException misplaced(String kind, DeviceContext context, String what) {
        return new IllegalArgumentException(String.format("device %s (%s) is placed at %s, but a %s is %s",
                context.name(), kind, context.placement(), kind, what));
    }
}
