package org.jdma.cli.attack;

import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.kernel.iommu.IommuFault;
import org.jdma.machine.bus.Access;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * The outcome of one attack on one target.
 *
 * @param attack        what was tried
 * @param mode          the IOMMU mode of the machine
 * @param target        the address attacked, in words ("physical 0x1000", "IOVA 0xfffff000")
 * @param blocked       the device got a fault and memory shows no effect
 * @param effect        what happened, in words
 * @param device        the device's DMA result of the decisive access
 * @param attacker      the requester id of the device that made it
 * @param kernelFault   the fault the kernel's IOMMU driver reported for it, if any
 * @param staleWindowNs for {@link Attack#STALE_IOVA}: virtual ns from the unmap to the first
 *                      blocked retry (empty when no IOMMU, or when it never got blocked in the
 *                      time the attack waited)
 * @param exposedBytes  for {@link Attack#SUB_PAGE_READ}: bytes of another owner's data the device
 *                      read; -1 for the other attacks
 */
public record AttackResult(Attack attack, AttackMode mode, String target, boolean blocked, String effect, DmaResult device,
                           RequesterId attacker, Optional<IommuFault> kernelFault, OptionalLong staleWindowNs, long exposedBytes) {

    public AttackResult(Attack attack, AttackMode mode, String target, boolean blocked, String effect, DmaResult device,
                        RequesterId attacker, Optional<IommuFault> kernelFault, OptionalLong staleWindowNs) {
        this(attack, mode, target, blocked, effect, device, attacker, kernelFault, staleWindowNs, -1);
    }

    /** Bytes of a page: a remapping unit records the faulting page, not the byte (VT-d FI = address bits 63:12). */
    static final long PAGE_MASK = ~0xFFFL;

    /**
     * Whether the device's access was refused by a translator that gave its own reason: the kind of
     * fault an IOMMU records and its driver reports.
     */
    public boolean translationFault() {
        return !device.isOk() && device.reason().translation() && !device.detail().isNone();
    }

    /**
     * Whether the kernel's report names the same fault the device saw (device, page, direction,
     * generic kind and the IOMMU's own code). Vacuously true when the device saw no translation fault.
     */
    public boolean faultRecordMatches() {
        return !translationFault() || kernelFault.map(k -> sameFault(k, attacker, device)).orElse(false);
    }

    /**
     * Same requester, same page, same direction, same reason: all that a remapping unit can record.
     * The kernel's {@link IommuFault.Kind} and the bus's generic reason share their names.
     */
    static boolean sameFault(IommuFault k, RequesterId device, DmaResult r) {
        // An interrupt-remapping record holds the interrupt index, not the address: no page to compare.
        boolean samePlace = k.interrupt() ? MsiMessageLayout.isInterruptAddress(r.faultAddress())
                : k.iovaPage() == (r.faultAddress() & PAGE_MASK);
        return !r.isOk() && k.device().equals(device) && samePlace
                && k.read() == (r.access() == Access.READ) && k.kind().name().equals(r.reason().name())
                && k.detail().iommu().equals(r.detail().source()) && k.detail().code() == r.detail().code();
    }

    /** The device's fault as a report line: "0000:00:10.0 R 0x1000 reason 0x6 READ_NOT_PERMITTED (TRANSLATION)". */
    public Optional<String> deviceFaultText() {
        if (device.isOk()) {
            return Optional.empty();
        }
        String reason = device.detail().isNone() ? "none" : String.format("%#x %s", device.detail().code(), device.detail().name());
        // Who refused it: a translator (the IOMMU, whose own reason is shown), or the bus itself.
        String refusedBy = device.reason().translation() ? "TRANSLATION" : device.reason().name();
        return Optional.of(String.format("%s %s %#x reason %s (%s)", attacker, device.access() == Access.WRITE ? "W" : "R",
                device.faultAddress(), reason, refusedBy));
    }

    /** The kernel's fault as a report line: "0000:00:10.0 R 0x1000 reason 0x6 READ_NOT_PERMITTED". */
    static String kernelFaultText(IommuFault k) {
        if (k.interrupt()) {
            return String.format("%s interrupt index %#x reason %#x %s", k.device(), k.interruptIndex(), k.detail().code(), k.detail().name());
        }
        return String.format("%s %s %#x reason %#x %s", k.device(), k.read() ? "R" : "W", k.iovaPage(), k.detail().code(),
                k.detail().name());
    }
}
