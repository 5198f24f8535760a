package org.jdma.kernel.iommu.vtd;

import org.jdma.kernel.iommu.InterruptRemapper;
import org.jdma.platform.irq.MsiMessage;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.pci.RequesterId;
import org.jdma.spec.vtd.VtdInterruptRequestLayout;

/**
 * One device's block of entries in a unit's interrupt remapping table: entry {@code i} answers
 * the remappable message with handle = the block's first index and sub-handle {@code i} (Linux
 * {@code fill_msi_msg}), and only requests carrying the device's requester id.
 */
final class RemappedVectors implements InterruptRemapper.Vectors {

    private final VtdUnitDriver unit;
    private final RequesterId device;
    private final int first;
    private final int count;
    private volatile boolean closed;

    RemappedVectors(VtdUnitDriver unit, RequesterId device, int first, int count) {
        this.unit = unit;
        this.device = device;
        this.first = first;
        this.count = count;
    }

    @Override
    public MsiMessage remap(int i, MsiMessage compatibility) {
        int index = index(i);
        if (closed) {
            throw new IllegalStateException(device + ": its interrupt remapping entries were freed");
        }
        unit.writeInterruptEntry(index, compatibility.vector(), MsiMessageLayout.destination(compatibility.address()), device);
        return new MsiMessage(VtdInterruptRequestLayout.address(first, true), i);
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public int index(int i) {
        if (i < 0 || i >= count) {
            throw new IllegalArgumentException(String.format("%s: interrupt remapping entry %d outside 0..%d", device, i, count - 1));
        }
        return first + i;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unit.freeInterruptEntries(first, count);
    }
}
