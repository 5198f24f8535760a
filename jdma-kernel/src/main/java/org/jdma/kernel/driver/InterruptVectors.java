package org.jdma.kernel.driver;

import java.util.Arrays;
import java.util.Objects;
import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.kernel.pci.PciMsi;
import org.jdma.kernel.pci.PciMsix;
import org.jdma.platform.irq.InterruptHandler;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;

/**
 * The message-signalled interrupts of one PCI device (Linux {@code pci_alloc_irq_vectors} with
 * {@code request_irq} per vector): vector {@code i} is raised by MSI-X table entry {@code i}, or,
 * for a device with MSI only, by its one MSI vector. The vectors are allocated, the entries
 * programmed and MSI-X (or MSI) enabled before the driver gets this; the driver attaches a handler
 * to each vector it uses ({@link #onInterrupt}). The kernel masks the entries, turns MSI-X or MSI
 * off and frees the vectors when the driver is removed or its probe fails.
 *
 * <p>Under interrupt remapping the device's entries hold remappable messages naming remapping
 * entries, which the kernel points at vector and CPU ({@link InterruptRemapper}); the driver sees
 * no difference.
 *
 * <p>Each vector goes to one CPU ({@link #cpu}), chosen at allocation by an {@link Affinity} and
 * written into its entry as the message's destination; {@link #setAffinity} moves it (the kernel's
 * {@link DriverRegistry#setIrqAffinity} does the same from outside the driver).
 */
public final class InterruptVectors {

    /** How the device signals. */
    public enum Kind { MSIX, MSI }

    private final String owner;
    private final InterruptRouting routing;
    private final PciMsix msix;
    private final PciMsi msi;
    private final int[] vectors;
    /** The CPU each vector is sent to. */
    private final int[] cpus;
    /** The device's remapping entries, or null when its unit does not remap interrupts. */
    private final InterruptRemapper.Vectors remapped;
    private boolean released;

    private InterruptVectors(String owner, InterruptRouting routing, PciMsix msix, PciMsi msi, int[] vectors, int[] cpus,
                             InterruptRemapper.Vectors remapped) {
        this.owner = owner;
        this.remapped = remapped;
        this.routing = routing;
        this.msix = msix;
        this.msi = msi;
        this.vectors = vectors;
        this.cpus = cpus;
        for (int i = 0; i < vectors.length; i++) {
            int index = i;
            routing.assign(vectors[i], new InterruptRouting.Assignment() {
                @Override public String owner() { return owner; }
                @Override public String source() { return msix != null ? "MSI-X " + index : "MSI"; }
                @Override public int cpu() { return cpus[index]; }
                @Override public void moveTo(int cpu) { setAffinity(index, cpu); }
            });
        }
    }

    /** The CPU of each of {@code count} vectors, checked before anything is allocated. */
    private static int[] cpus(String owner, InterruptRouting routing, Affinity affinity, int count) {
        Objects.requireNonNull(affinity, "affinity");
        int[] cpus = new int[count];
        for (int i = 0; i < count; i++) {
            try {
                cpus[i] = routing.checkCpu(affinity.cpuFor(i, count, routing.cpus()), owner + " vector " + i);
            } catch (IllegalArgumentException e) {
                throw new ProbeException(owner + ": affinity " + affinity + ": " + e.getMessage(), e);
            }
        }
        return cpus;
    }

    /**
     * Allocates {@code count} vectors and programs MSI-X entries 0..count-1 with them, in Linux's
     * order (PCI Local Bus Specification 3.0 §6.8.2): MSI-X Enable with the Function Mask set, each
     * entry written masked and unmasked, then the Function Mask cleared.
     */
    static InterruptVectors msix(String owner, RequesterId device, InterruptRouting routing, PciMsix msix, int count,
                                 Affinity affinity) {
        if (count < 1 || count > msix.tableSize()) {
            throw new ProbeException(String.format("%s: %d MSI-X vectors asked for; its table has %d entries", owner, count, msix.tableSize()));
        }
        int[] cpus = cpus(owner, routing, affinity, count);
        return create(owner, device, routing, msix, null, count, cpus);
    }

    /** Allocates one vector and programs and enables the device's MSI capability with it (§6.8.1). */
    static InterruptVectors msi(String owner, RequesterId device, InterruptRouting routing, PciMsi msi, Affinity affinity) {
        int[] cpus = cpus(owner, routing, affinity, 1);
        return create(owner, device, routing, null, msi, 1, cpus);
    }

    /** Vectors, remapping entries when the device's unit remaps interrupts, then the device programmed. */
    private static InterruptVectors create(String owner, RequesterId device, InterruptRouting routing, PciMsix msix, PciMsi msi,
                                           int count, int[] cpus) {
        int[] vectors = allocate(owner, routing, count);
        InterruptRemapper.Vectors remapped;
        try {
            remapped = routing.remapperFor(device).map(r -> r.allocate(device, count)).orElse(null);
        } catch (RuntimeException e) {
            for (int v : vectors) {
                routing.free(v);
            }
            throw new ProbeException(owner + ": no interrupt remapping entries (" + e.getMessage() + ")", e);
        }
        InterruptVectors v = new InterruptVectors(owner, routing, msix, msi, vectors, cpus, remapped);
        v.restore();
        return v;
    }

    /** What the device writes for vector {@code index}: remappable when its unit remaps, after pointing the entry. */
    private MsiMessage message(int index) {
        MsiMessage compatibility = routing.message(vectors[index], cpus[index]);
        return remapped == null ? compatibility : remapped.remap(index, compatibility);
    }

    /** The remapping entry (the unit's interrupt index) of vector {@code index}, or -1 when not remapped. */
    public int remappingIndex(int index) {
        return remapped == null ? -1 : remapped.index(checkIndex(index));
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

    /** Interrupts dispatched on vector {@code index} so far, every CPU. */
    public long dispatched(int index) {
        return routing.dispatched(vectors[checkIndex(index)]);
    }

    /** Interrupts dispatched on vector {@code index} that CPU {@code cpu} handled. */
    public long dispatched(int index, int cpu) {
        return routing.dispatched(vectors[checkIndex(index)], routing.checkCpu(cpu, owner + " interrupt " + index));
    }

    /** The CPU vector {@code index} is sent to. */
    public int cpu(int index) {
        return cpus[checkIndex(index)];
    }

    /**
     * Sends vector {@code index} to CPU {@code cpu} from now on (Linux {@code irq_set_affinity}): its
     * MSI-X entry is rewritten masked and unmasked again (PCI Local Bus 3.0 §6.8.2.9), or the MSI
     * capability reprogrammed. An interrupt already sent still goes to the CPU it was sent to.
     *
     * @throws IllegalArgumentException naming the CPU when there is no such CPU
     */
    public void setAffinity(int index, int cpu) {
        checkOpen();
        checkIndex(index);
        cpus[index] = routing.checkCpu(cpu, owner + " interrupt " + index);
        if (remapped != null) {
            // Only the remapping entry changes; the device keeps naming it (Linux intel_ir_set_affinity).
            message(index);
        } else if (msix != null) {
            msix.program(index, message(index));
        } else {
            msi.enable(message(index));
        }
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
                msix.program(i, message(i));
            }
            msix.functionMask(false);
        } else {
            msi.enable(message(0));
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
        if (remapped != null) {
            remapped.close(); // the device is quiet: its entries can go
        }
        for (int v : vectors) {
            routing.unassign(v);
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
        return owner + " " + kind() + " vectors " + Arrays.toString(vectors) + " on CPUs " + Arrays.toString(cpus)
                + (remapped == null ? "" : " remapped from entries " + remapped.index(0) + ".." + remapped.index(remapped.count() - 1));
    }
}
