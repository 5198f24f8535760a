package org.jdma.machine.iommu.vtd;

import static org.jdma.spec.vtd.VtdRegisterLayout.ECTL_IM;
import static org.jdma.spec.vtd.VtdRegisterLayout.ECTL_IP;

import org.jdma.machine.irq.InterruptController;
import org.jdma.machine.mmio.Register;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;

/**
 * One of the unit's event interrupts: the fault event (FECTL/FEDATA/FEADDR, VT-d §7.3, §10.4.10-12)
 * or the invalidation completion event (IECTL/IEDATA/IEADDR, §6.5.2.9, §10.4.24-26). Both work
 * alike: an event sends the message (a DMA write of the data to the address, from the host
 * bridge's requester id) unless the control register's IM bit masks it; a masked event sets IP and
 * is held, sent when software unmasks, or dropped (IP cleared) when software services its cause
 * first. A message whose address is not in the interrupt range is not sent: it is counted as
 * dropped.
 *
 * <p>Not thread-safe: the owning {@link VtdUnit} serialises every access.
 */
final class EventInterrupt {

    private final VtdRegisterPage regs;
    private final Register control;
    private final Register data;
    private final Register address;
    private final InterruptController interrupts;
    private final RequesterId source;
    private boolean pending;
    private long messages;
    private long dropped;

    EventInterrupt(VtdRegisterPage regs, Register control, Register data, Register address,
                   InterruptController interrupts, RequesterId source) {
        this.regs = regs;
        this.control = control;
        this.data = data;
        this.address = address;
        this.interrupts = interrupts;
        this.source = source;
    }

    /** Power-on state: no message held (the control register is reset by the page); counters are kept. */
    void reset() {
        pending = false;
    }

    /** The event happened: the message goes out now, or, masked, IP is set and the message held. */
    void raise() {
        if ((regs.get(control) & ECTL_IM) != 0) {
            pending = true;
            regs.set(control, regs.get(control) | ECTL_IP);
        } else {
            send();
        }
    }

    /** Whether a masked event is held (IP set). */
    boolean pending() {
        return pending;
    }

    /** Software serviced the event's cause while its message was held: IP clears, nothing is sent. */
    void serviced() {
        if (pending) {
            pending = false;
            regs.set(control, regs.get(control) & ~ECTL_IP);
        }
    }

    /** The control register was written: unmasking sends a held message; IP reads as held or not. */
    void controlWritten(long now) {
        boolean masked = (now & ECTL_IM) != 0;
        if (!masked && pending) {
            pending = false;
            send();
        }
        regs.set(control, (now & ECTL_IM) | (pending ? ECTL_IP : 0));
    }

    private void send() {
        messages++;
        long at = regs.get(address);
        if (MsiMessageLayout.isInterruptAddress(at)) {
            interrupts.deliver(source, at, (int) regs.get(data));
        } else {
            dropped++; // the address register was not programmed into the interrupt range
        }
    }

    /** Messages the event tried to send (including dropped ones). */
    long messages() {
        return messages;
    }

    /** Messages not sent because the address register was outside the interrupt range. */
    long dropped() {
        return dropped;
    }
}
