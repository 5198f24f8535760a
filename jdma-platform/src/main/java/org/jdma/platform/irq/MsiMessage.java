package org.jdma.platform.irq;

import org.jdma.spec.msi.MsiMessageLayout;

/** An MSI message: the (address, data) pair a device writes to raise an interrupt. */
public record MsiMessage(long address, int data) {
    public MsiMessage {
        if (!MsiMessageLayout.isInterruptAddress(address)) {
            throw new IllegalArgumentException(String.format("MSI address %#x is outside the interrupt range 0xfee00000-0xfeefffff", address));
        }
    }

    public int vector() {
        return MsiMessageLayout.vector(data);
    }

    public static MsiMessage forVector(int vector, int destinationApicId) {
        return new MsiMessage(MsiMessageLayout.address(destinationApicId), MsiMessageLayout.data(vector));
    }
}
