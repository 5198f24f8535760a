package org.jdma.machine.pci;

import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.spec.pci.MsiCapabilityLayout;

/**
 * A function's MSI capability with a 64-bit address (PCI Local Bus Specification 3.0 §6.8.1; layout
 * in {@link MsiCapabilityLayout}), kept in its configuration space, and the sending it governs.
 *
 * <p>Access kinds: Message Control: MSI Enable and Multiple Message Enable RW, Multiple Message
 * Capable, 64-bit and Per-Vector Masking Capable RO; Message Address (bits [1:0] RO 0), Upper
 * Address and Data RW; Mask Bits RW for the vectors that exist; Pending Bits RO. Everything
 * resets to 0.
 *
 * <p>Sending vector v (0 .. granted - 1, granted = 2^min(MME, MMC)): while MSI Enable is clear
 * nothing is sent (the function would use INTx, not modelled) and the signal is counted as
 * suppressed; a masked vector sets its Pending bit (§6.8.1.8); otherwise the function writes
 * Message Data with its low log2(granted) bits replaced by v to Message Address, through its DMA
 * port. Clearing a Mask bit whose Pending bit is set sends that vector then. A Multiple Message
 * Enable above what the function is capable of grants only what it is capable of.
 */
final class MsiCapability {

    private final PciFunction function;
    private final ConfigSpace config;
    private final DmaPort port;
    private final int offset;
    private final int log2Vectors;
    private final boolean perVectorMasking;
    private long sent;
    private long pended;
    private long suppressed;
    private long sendFaults;

    MsiCapability(PciFunction function, DmaPort port, int log2Vectors, boolean perVectorMasking) {
        if (log2Vectors < 0 || log2Vectors > MsiCapabilityLayout.MAX_LOG2_VECTORS) {
            throw new IllegalArgumentException(function.name() + ": MSI Multiple Message Capable must be 0..5 (1..32 vectors), was " + log2Vectors);
        }
        this.function = function;
        this.config = function.configSpace();
        this.port = port;
        this.log2Vectors = log2Vectors;
        this.perVectorMasking = perVectorMasking;
        this.offset = function.addCapability(MsiCapabilityLayout.ID,
                perVectorMasking ? MsiCapabilityLayout.SIZE_WITH_MASKING : MsiCapabilityLayout.SIZE_WITHOUT_MASKING);
        int control = log2Vectors << MsiCapabilityLayout.CONTROL_MMC_SHIFT | MsiCapabilityLayout.CONTROL_64BIT
                | (perVectorMasking ? MsiCapabilityLayout.CONTROL_PER_VECTOR_MASKING : 0);
        config.readWrite(offset + MsiCapabilityLayout.MESSAGE_CONTROL, 2, control,
                MsiCapabilityLayout.CONTROL_ENABLE | MsiCapabilityLayout.CONTROL_MME_MASK);
        config.readWrite(offset + MsiCapabilityLayout.ADDRESS_LO, 4, 0, 0xFFFF_FFFFL & ~MsiCapabilityLayout.ADDRESS_LO_RESERVED_MASK);
        config.readWrite(offset + MsiCapabilityLayout.ADDRESS_HI, 4, 0, 0xFFFF_FFFFL);
        config.readWrite(offset + MsiCapabilityLayout.DATA, 2, 0, MsiCapabilityLayout.DATA_MASK);
        if (perVectorMasking) {
            long vectorBits = (1L << (1 << log2Vectors)) - 1;
            config.readWrite(offset + MsiCapabilityLayout.MASK_BITS, 4, 0, vectorBits);
            config.readOnly(offset + MsiCapabilityLayout.PENDING_BITS, 4, 0);
            function.onWrite(offset + MsiCapabilityLayout.MASK_BITS, 4, this::sendUnmaskedPending);
        }
        function.onWrite(offset + MsiCapabilityLayout.MESSAGE_CONTROL, 2, this::sendUnmaskedPending);
    }

    int offset() {
        return offset;
    }

    boolean enabled() {
        return (control() & MsiCapabilityLayout.CONTROL_ENABLE) != 0;
    }

    /** Vectors granted: 2^min(Multiple Message Enable, Multiple Message Capable). */
    int grantedVectors() {
        int mme = (control() & MsiCapabilityLayout.CONTROL_MME_MASK) >>> MsiCapabilityLayout.CONTROL_MME_SHIFT;
        return 1 << Math.min(mme, log2Vectors);
    }

    long sent() { return sent; }
    long pended() { return pended; }
    long suppressed() { return suppressed; }
    long sendFaults() { return sendFaults; }

    private int control() {
        return (int) config.get(offset + MsiCapabilityLayout.MESSAGE_CONTROL, 2);
    }

    private boolean masked(int vector) {
        return perVectorMasking && (config.get(offset + MsiCapabilityLayout.MASK_BITS, 4) & (1L << vector)) != 0;
    }

    /** Raises {@code vector}; true when a message went out now. */
    boolean signal(int vector) {
        if (!enabled()) {
            suppressed++;
            return false;
        }
        if (vector < 0 || vector >= grantedVectors()) {
            return false;
        }
        if (masked(vector)) {
            config.setBits(offset + MsiCapabilityLayout.PENDING_BITS, 4, 1L << vector);
            pended++;
            return false;
        }
        send(vector);
        return true;
    }

    private void send(int vector) {
        long address = config.get(offset + MsiCapabilityLayout.ADDRESS_LO, 4)
                | config.get(offset + MsiCapabilityLayout.ADDRESS_HI, 4) << 32;
        int data = (int) config.get(offset + MsiCapabilityLayout.DATA, 2);
        data = (data & ~(grantedVectors() - 1)) | vector;
        sent++;
        DmaResult r = port.signalMsi(address, data);
        if (!r.isOk()) {
            sendFaults++;
        }
    }

    /** After a write of Mask Bits or Message Control: vectors pending and no longer masked send. */
    private void sendUnmaskedPending() {
        if (!perVectorMasking || !enabled()) {
            return;
        }
        long pending = config.get(offset + MsiCapabilityLayout.PENDING_BITS, 4);
        for (int v = 0; v < grantedVectors(); v++) {
            if ((pending & (1L << v)) != 0 && !masked(v)) {
                config.clearBits(offset + MsiCapabilityLayout.PENDING_BITS, 4, 1L << v);
                send(v);
            }
        }
    }

    @Override
    public String toString() {
        return function.name() + " MSI at " + Integer.toHexString(offset);
    }
}
