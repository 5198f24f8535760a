package org.jdma.kernel.driver;

import java.util.Objects;
import java.util.function.Function;

/**
 * A driver as the kernel registers it (Linux {@code struct pci_driver}, {@code struct isa_driver}):
 * a name, what it binds to, and its probe. Options a driver takes travel inside its registration:
 * a driver class offers a factory such as {@code CopyEngineDriver.driver(options)} and the kernel
 * is given the result ({@code Kernel.Options.withDriver}).
 *
 * <p>The life cycle is probe, remove and reset. {@link #probe} gets the device's
 * {@link DriverContext} and returns the bound instance ({@link DriverInstance}), or throws (a
 * {@link ProbeException} when the device is not what the driver expects, any other exception
 * for a bug): the kernel then releases everything the context handed out, reports the failure
 * with the device and the reason, and leaves the device unbound.
 *
 * @param <I> the bound instance's type: what the kernel's lookups return
 */
public interface Driver<I extends DriverInstance> {

    /**
     * The driver's name: unique among the kernel's registrations, and the stem of its devices'
     * names (the first device it binds is {@code name + "0"}, as "memcpy0").
     */
    String name();

    /** What the driver binds to. */
    DeviceMatch match();

    /** Brings up one device through {@code context}; called once per matching device. */
    I probe(DriverContext context);

    /** A driver named {@code name}, matching {@code match}, whose probe is {@code probe}. */
    static <I extends DriverInstance> Driver<I> of(String name, DeviceMatch match, Function<DriverContext, I> probe) {
        return new Registration<>(name, match, probe);
    }

    /** The plain registration {@link #of} makes. */
    record Registration<I extends DriverInstance>(String name, DeviceMatch match, Function<DriverContext, I> prober)
            implements Driver<I> {
        public Registration {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(match, "match");
            Objects.requireNonNull(prober, "probe");
            if (name.isEmpty() || !Character.isLetter(name.charAt(name.length() - 1))) {
                throw new IllegalArgumentException("driver name '" + name + "' must end in a letter: its devices are named "
                        + "by appending a number");
            }
        }

        @Override
        public I probe(DriverContext context) {
            return prober.apply(context);
        }

        @Override
        public String toString() {
            return name + " (" + match + ")";
        }
    }
}
