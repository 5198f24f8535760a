package org.jdma.cli.attack;

import java.util.Optional;
import java.util.OptionalLong;
import org.jdma.machine.bus.DmaResult;

/**
 * The outcome of one attack on one target.
 *
 * @param attack        what was tried
 * @param mode          the IOMMU mode of the machine
 * @param target        the address attacked, in words ("physical 0x1000", "IOVA 0xfffff000")
 * @param blocked       the device got a fault and memory shows no effect
 * @param effect        what happened, in words
 * @param device        the device's DMA result of the decisive access
 * @param deviceFault   that result as a fault record, when it faulted
 * @param kernelFault   the fault record the kernel's VT-d driver reported for it, if any
 * @param staleWindowNs for {@link Attack#STALE_IOVA}: virtual ns from the unmap to the first
 *                      blocked retry (empty when no IOMMU, or when it never got blocked in the
 *                      time the attack waited)
 */
public record AttackResult(Attack attack, AttackMode mode, String target, boolean blocked, String effect, DmaResult device,
                           Optional<FaultRecord> deviceFault, Optional<FaultRecord> kernelFault, OptionalLong staleWindowNs) {

    /**
     * Whether the kernel's record names the same fault the device saw (device, page, direction,
     * reason). Vacuously true when the device saw no translation fault.
     */
    public boolean faultRecordMatches() {
        if (deviceFault.isEmpty() || deviceFault.get().reason() == 0) {
            return true;
        }
        return kernelFault.map(k -> k.sameFaultAs(deviceFault.get())).orElse(false);
    }
}
