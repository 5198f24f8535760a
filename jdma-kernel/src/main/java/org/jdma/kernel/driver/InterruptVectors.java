package org.jdma.kernel.driver;

import java.util.Arrays;
import java.util.Objects;
import org.jdma.kernel.pci.PciMsi;
import org.jdma.kernel.pci.PciMsix;
import org.jdma.platform.irq.InterruptHandler;

/**
 * The message-signalled interrupts of one PCI device (Linux {@code pci_alloc_irq_vectors} with
 * {@code request_irq} per vector): vector {@code i} is raised by MSI-X table entry {@code i}, or,
 * for a device with MSI only, by its one MSI vector. The vectors are allocated, the entries
 * programmed and MSI-X (or MSI) enabled before the driver gets this; the driver attaches a handler
 * to each vector it uses ({@link #onInterrupt}). The kernel masks the entries, turns MSI-X or MSI
 * off and frees the vectors when the driver is removed or its probe fails.
 */
public final class InterruptVectors {

    /** How the device signals. */
    public enum Kind { MSIX, MSI }

    private final String owner;
    private final InterruptRouting routing;
    private final PciMsix msix;
    private final PciMsi msi;
    private final int[] vectors;
    private boolean released;

    private InterruptVectors(String owner, InterruptRouting routing, PciMsix msix, PciMsi msi, int[] vectors) {
        this.owner = owner;
        this.routing = routing;
        this.msix = msix;
        this.msi = msi;
        this.vectors = vectors;
    }

    /**
     * Allocates {@code count} vectors and programs MSI-X entries 0..count-1 with them, in Linux's
     * order (PCI Local Bus Specification 3.0 §6.8.2): MSI-X Enable with the Function Mask set, each
     * entry written masked and unmasked, then the Function Mask cleared.
     */
    static InterruptVectors msix(String owner, InterruptRouting routing, PciMsix msix, int count) {
        if (count < 1 || count > msix.tableSize()) {
            throw new ProbeException(String.format("%s: %d MSI-X vectors asked for; its table has %d entries", owner, count, msix.tableSize()));
        }
        InterruptVectors v = new InterruptVectors(owner, routing, msix, null, allocate(owner, routing, count));
        v.restore();
        return v;
    }

    /** Allocates one vector and programs and enables the device's MSI capability with it (§6.8.1). */
    static InterruptVectors msi(String owner, InterruptRouting routing, PciMsi msi) {
        InterruptVectors v = new InterruptVectors(owner, routing, null, msi, allocate(owner, routing, 1));
        v.restore();
        return v;
    }

    private static int[] allocate(String owner, InterruptRouting routing, int count) {
        int[] v = new int[count];
        int n = 0;
        try {
            for (; n < count; n++) {
                v[n] = routing.allocate(owner);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < n; i++) {
                routing.free(v[i]);
            }
            throw e;
        }
        return v;
    }

    public Kind kind() {
        return msix != null ? Kind.MSIX : Kind.MSI;
    }

    public int count() {
        return vectors.length;
    }

    /** The CPU vector of interrupt {@code index} (MSI-X entry {@code index}). */
    public int vector(int index) {
        return vectors[checkIndex(index)];
    }

    /** Runs {@code handler} for every interrupt on vector {@code index} (Linux {@code request_irq}); replaces an earlier one. */
    public void onInterrupt(int index, InterruptHandler handler) {
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        routing.register(vectors[checkIndex(index)], handler);
    }

    /** Interrupts dispatched on vector {@code index} so far. */
    public long dispatched(int index) {
        return routing.dispatched(vectors[checkIndex(index)]);
    }

    /**
     * Programs the entries (or the MSI capability) again with the same vectors: after a device
     * reset that cleared them (Linux {@code pci_restore_msi_state}).
     */
    public void restore() {
        checkOpen();
        if (msix != null) {
            msix.enableMasked();
            for (int i = 0; i < vectors.length; i++) {
                msix.program(i, routing.message(vectors[i]));
            }
            msix.functionMask(false);
        } else {
            msi.enable(routing.message(vectors[0]));
        }
    }

    /** Masks every entry, turns MSI-X (or MSI) off, frees the vectors. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (msix != null) {
            for (int i = 0; i < vectors.length; i++) {
                msix.mask(i);
            }
            msix.disable();
        } else {
            msi.disable();
        }
        for (int v : vectors) {
            routing.free(v);
        }
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= vectors.length) {
            throw new IllegalArgumentException(String.format("%s: interrupt %d outside 0..%d", owner, index, vectors.length - 1));
        }
        return index;
    }

    private void checkOpen() {
        if (released) {
            throw new IllegalStateException(owner + ": its interrupt vectors were released");
        }
    }

    @Override
    public String toString() {
        return owner + " " + kind() + " vectors " + Arrays.toString(vectors);
    }
}
