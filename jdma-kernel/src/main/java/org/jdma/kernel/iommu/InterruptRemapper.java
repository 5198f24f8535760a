package org.jdma.kernel.iommu;

import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.pci.RequesterId;

/**
 * Interrupt remapping as the kernel's interrupt code sees it (Linux's IR irq domain): a block of
 * remapping entries for one device's vectors, each pointed at a vector and CPU by the OS, and the
 * message the device must write to raise it, which names only the entry. A device then cannot
 * choose its vector or CPU, and an entry answers only requests carrying the device's requester id.
 */
public interface InterruptRemapper {

    /** {@code count} entries for {@code device}'s vectors (a naturally aligned power-of-two block, as Linux allocates). */
    Vectors allocate(RequesterId device, int count);

    /** One device's block of entries. */
    interface Vectors extends AutoCloseable {

        /**
         * Points entry {@code i} of the block at the vector and destination of {@code compatibility}
         * (the message the device would write without remapping), invalidates the unit's cached copy,
         * and returns the remappable message the device must write instead.
         */
        MsiMessage remap(int i, MsiMessage compatibility);

        /** Entries in the block. */
        int count();

        /** The unit's interrupt index of entry {@code i}. */
        int index(int i);

        /** Clears every entry (later requests naming them fault), invalidates them, frees the block. Idempotent. */
        @Override
        void close();
    }
}
