package org.jdma.kernel.iommu;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jdma.kernel.iommu.iova.IovaAllocator;
import org.jdma.kernel.mm.FrameAllocator;
import org.jdma.kernel.pci.PciSubsystem;
import org.jdma.platform.Platform;
import org.jdma.spec.pci.RequesterId;

/**
 * An IOMMU hardware driver as the generic IOMMU layer sees it (Linux {@code struct iommu_ops},
 * registered with {@code iommu_device_register}): which unit translates a device, domains made on
 * that unit, the ranges firmware says a device keeps using, turning translation on, and the
 * faults the hardware reported. {@link IommuSubsystem} knows hardware only through this
 * interface; the boot code hands it a {@link Probe} for each kind of IOMMU the kernel supports
 * (the VT-d driver's is {@code VtdIommuDriver::probe}).
 *
 * <p>Units are named by a {@code long}: the address of the unit's registers, the same value
 * {@link IommuFault#unit()} carries.
 */
public interface IommuDriver extends AutoCloseable {

    /** The prefix of this driver's boot messages (Linux's intel-iommu prints "DMAR: ..."). */
    String name();

    /** Whether at least one unit came up and can translate. */
    boolean enabled();

    /** The unit that translates {@code device}'s DMA; empty when none does (its DMA is physical). */
    OptionalLong unitOf(RequesterId device);

    /**
     * The unit whose tables hold {@code domain}.
     *
     * @throws IllegalArgumentException when {@code domain} was not made by this driver
     */
    long unitOf(IommuDomain domain);

    /**
     * A new domain of {@code type} on the unit that translates {@code device}, not attached yet
     * (Linux {@code domain_alloc_paging}, or the driver's one identity or blocking domain).
     *
     * @param iova the domain's IOVA space for the DMA types, null for IDENTITY and BLOCKED
     * @throws IllegalArgumentException when no unit translates {@code device}
     */
    IommuDomain allocDomain(RequesterId device, IommuDomain.Type type, IovaAllocator iova);

    /**
     * Ranges firmware says {@code device} keeps using while its driver starts (Linux
     * {@code get_resv_regions}, type {@code IOMMU_RESV_DIRECT}): every domain the device is
     * attached to maps them 1:1 first.
     */
    List<ReservedRegion> reservedRegions(RequesterId device);

    /**
     * Turns translation on in every unit. The IOMMU layer calls this once, after every device has
     * its default domain and every reserved region is mapped.
     */
    void enableTranslation();

    /**
     * The interrupt remapper of the unit that covers {@code device}, when that unit remaps
     * interrupts (the kernel asked for it at boot and the hardware has it); empty otherwise, and then
     * the device's messages are the compatibility ones.
     */
    default java.util.Optional<InterruptRemapper> interruptRemapper(RequesterId device) {
        return java.util.Optional.empty();
    }

    /** Every fault the units reported, oldest first per unit. */
    List<IommuFault> faults();

    /** Turns translation off; domains and tables go with the kernel. */
    @Override
    void close();

    /**
     * A range firmware reserves for a device (Linux {@code struct iommu_resv_region}).
     *
     * @param base   first byte
     * @param length bytes
     * @param source what described it, for boot messages (VT-d: "RMRR")
     */
    record ReservedRegion(long base, long length, String source) {
        public ReservedRegion {
            Objects.requireNonNull(source, "source");
        }

        /** The last byte (inclusive), as firmware tables give the end. */
        public long last() {
            return base + length - 1;
        }
    }

    /**
     * What a driver gets at boot: the platform, the devices enumeration found, frames for its
     * tables, and where to report its boot messages, the problems that leave devices untranslated,
     * and faults.
     */
    record Boot(Platform platform, PciSubsystem pci, FrameAllocator frames, Consumer<String> log,
                Consumer<String> problems, IommuFaultListener faults, boolean interruptRemapping) {

        /** A boot with interrupt remapping wherever the hardware offers it. */
        public Boot(Platform platform, PciSubsystem pci, FrameAllocator frames, Consumer<String> log,
                    Consumer<String> problems, IommuFaultListener faults) {
            this(platform, pci, frames, log, problems, faults, true);
        }

        public Boot {
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(pci, "pci");
            Objects.requireNonNull(frames, "frames");
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(problems, "problems");
            Objects.requireNonNull(faults, "faults");
        }
    }

    /**
     * Finds this kind of IOMMU in the firmware tables and brings its units up (Linux's
     * {@code detect} and {@code init} pair, e.g. {@code detect_intel_iommu} and
     * {@code intel_iommu_init}). Empty when the firmware describes none or describes it so badly
     * that nothing is remapped; the reason goes to {@link Boot#problems()}.
     */
    @FunctionalInterface
    interface Probe {
        Optional<IommuDriver> probe(Boot boot);
    }
}
