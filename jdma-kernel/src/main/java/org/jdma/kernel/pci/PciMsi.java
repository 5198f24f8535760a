package org.jdma.kernel.pci;

import java.util.Optional;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.MsiCapabilityLayout;

/**
 * A function's MSI capability, as a driver programs it for one vector (PCI Local Bus Specification
 * 3.0 §6.8.1; Linux {@code msi_capability_init}): with MSI Enable clear, vector 0 masked (when
 * the function has per-vector masking), Message Address, Upper Address and Data written, Multiple
 * Message Enable left at one vector; then MSI Enable set and the vector unmasked.
 *
 * <p>One vector only: an x86 platform without interrupt remapping cannot give a function the
 * block of consecutive, aligned vectors that multiple-message MSI needs (Linux refuses
 * multi-MSI there too). Functions whose capability lacks 64-bit addressing are refused: every
 * MSI function this machine models has it.
 */
public final class PciMsi {

    private final PciDevice device;
    private final int capability;
    private final boolean maskable;

    private PciMsi(PciDevice device, int capability, boolean maskable) {
        this.device = device;
        this.capability = capability;
        this.maskable = maskable;
    }

    /**
     * The MSI capability of {@code device}: empty when it has none.
     *
     * @throws IllegalStateException when the capability cannot take a 64-bit message address
     */
    public static Optional<PciMsi> of(PciDevice device) {
        Optional<Integer> cap = device.capability(MsiCapabilityLayout.ID);
        if (cap.isEmpty()) {
            return Optional.empty();
        }
        int control = device.read16(cap.get() + MsiCapabilityLayout.MESSAGE_CONTROL);
        if ((control & MsiCapabilityLayout.CONTROL_64BIT) == 0) {
            throw new IllegalStateException(String.format("%s: MSI capability at %#x has no 64-bit address (Message Control %#06x); "
                    + "only the 64-bit layout is supported", device.requester(), cap.get(), control));
        }
        return Optional.of(new PciMsi(device, cap.get(), (control & MsiCapabilityLayout.CONTROL_PER_VECTOR_MASKING) != 0));
    }

    /** Programs vector 0 with {@code message} and enables MSI (Multiple Message Enable: one vector). */
    public void enable(MsiMessage message) {
        control(MsiCapabilityLayout.CONTROL_ENABLE | MsiCapabilityLayout.CONTROL_MME_MASK, false);
        mask(true);
        device.write32(capability + MsiCapabilityLayout.ADDRESS_LO, (int) message.address());
        device.write32(capability + MsiCapabilityLayout.ADDRESS_HI, (int) (message.address() >>> 32));
        device.write16(capability + MsiCapabilityLayout.DATA, message.data() & MsiCapabilityLayout.DATA_MASK);
        control(MsiCapabilityLayout.CONTROL_ENABLE, true);
        mask(false);
    }

    /** Masks vector 0 (when the function can) and clears MSI Enable. */
    public void disable() {
        mask(true);
        control(MsiCapabilityLayout.CONTROL_ENABLE, false);
    }

    public boolean enabled() {
        return (device.read16(capability + MsiCapabilityLayout.MESSAGE_CONTROL) & MsiCapabilityLayout.CONTROL_ENABLE) != 0;
    }

    /** Whether the function has per-vector masking. */
    public boolean maskable() {
        return maskable;
    }

    private void mask(boolean on) {
        if (maskable) {
            device.write32(capability + MsiCapabilityLayout.MASK_BITS, on ? 1 : 0);
        }
    }

    private void control(int bits, boolean on) {
        int at = capability + MsiCapabilityLayout.MESSAGE_CONTROL;
        int c = device.read16(at);
        device.write16(at, on ? c | bits : c & ~bits);
    }
}
