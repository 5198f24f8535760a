package org.jdma.kernel.mm;

import java.util.Arrays;

/**
 * One device's pins ordered by the first bus address each reaches: the device-side view of
 * {@link DmaPins}, for "which live mapping of this device covers [address, address + length)".
 * Holds slot numbers of the pins' arrays, so it adds no row of its own. Insert and remove are a
 * binary search and an array shift (no allocation once grown); a lookup is a binary search and a
 * walk back over the pins that start within the device's largest mapping below the address.
 * Guarded by the lock of its {@link DmaPins}.
 */
final class BusIndex {

    private int[] order = new int[16];
    private int size;
    /** The largest bus length the device ever had pinned: how far below an address a covering pin can start. */
    private long reach;

    int size() {
        return size;
    }

    int at(int i) {
        return order[i];
    }

    long reach() {
        return reach;
    }

    void insert(int slot, long[] busStart, long busLength) {
        if (size == order.length) {
            order = Arrays.copyOf(order, size * 2);
        }
        int i = upperBound(busStart, busStart[slot]);
        System.arraycopy(order, i, order, i + 1, size - i);
        order[i] = slot;
        size++;
        reach = Math.max(reach, busLength);
    }

    void remove(int slot, long[] busStart) {
        int i = upperBound(busStart, busStart[slot]) - 1;
        while (i >= 0 && order[i] != slot) {
            i--;
        }
        if (i < 0) {
            throw new IllegalStateException("pin slot " + slot + " is not in its device's bus index");
        }
        System.arraycopy(order, i + 1, order, i, size - i - 1);
        size--;
    }

    /** The position after the last pin whose first bus address is at or below {@code address} (unsigned). */
    int upperBound(long[] busStart, long address) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(busStart[order[mid]], address) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
