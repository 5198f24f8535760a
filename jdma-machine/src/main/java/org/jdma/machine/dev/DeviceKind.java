package org.jdma.machine.dev;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A kind of device: makes one from its options and what the board hands it. Each device package
 * exports its kind as a constant ({@code CopyEngine.KIND}); a machine configuration names kinds
 * in its {@link DeviceSpec}s, so adding a device to a machine is one line of configuration and no
 * registry.
 *
 * @param <O> the kind's options (timing and sizes, with units and defaults)
 */
public interface DeviceKind<O> {

    /** A short name for messages and reports ("memcpy"). */
    String name();

    /** Makes the device {@code context} describes, configured by {@code options}. */
    Device create(O options, DeviceContext context);

    /** A kind called {@code name} whose devices {@code factory} makes. */
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
}
