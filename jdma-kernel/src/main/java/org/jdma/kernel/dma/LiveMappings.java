package org.jdma.kernel.dma;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One device's live streaming mappings by device address: an open-addressing table of primitive
 * keys (linear probing, Fibonacci hashing, backward-shift deletion), so that a map and its unmap
 * neither box a key nor allocate a node. Page-aligned IOVAs handed out next to each other spread
 * over the table: the multiplicative hash takes the key's high product bits, not its zero low ones.
 *
 * <p>Several mappings may share an address (one buffer mapped twice with no IOMMU between): a slot
 * then holds them in an {@link ArrayDeque}, oldest first, and {@link #take} returns the oldest.
 * Not thread-safe: {@link DeviceState} guards it.
 */
final class LiveMappings {

    private static final int MIN_CAPACITY = 16;
    private static final long FIBONACCI = 0x9E37_79B9_7F4A_7C15L;

    private long[] keys = new long[MIN_CAPACITY];
    /** Per slot: null (free), a {@link DeviceState.Live}, or an {@code ArrayDeque<Live>} of several at one address. */
    private Object[] values = new Object[MIN_CAPACITY];
    private int shift = Long.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
    /** Occupied slots (addresses). */
    private int slots;
    /** Live mappings (an address may hold several). */
    private int count;

    private int home(long key) {
        return (int) ((key * FIBONACCI) >>> shift);
    }

    void add(DeviceState.Live m) {
        long key = m.dma();
        int mask = keys.length - 1;
        for (int i = home(key); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                keys[i] = key;
                values[i] = m;
                count++;
                if (++slots * 2 > keys.length) {
                    grow();
                }
                return;
            }
            if (keys[i] == key) {
                values[i] = append(v, m);
                count++;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object append(Object v, DeviceState.Live m) {
        ArrayDeque<DeviceState.Live> q;
        if (v instanceof ArrayDeque<?> several) {
            q = (ArrayDeque<DeviceState.Live>) several;
        } else {
            q = new ArrayDeque<>(4);
            q.addLast((DeviceState.Live) v);
        }
        q.addLast(m);
        return q;
    }

    /** Removes and returns the oldest live mapping at {@code dma}, or null. */
    @SuppressWarnings("unchecked")
    DeviceState.Live take(long dma) {
        int mask = keys.length - 1;
        for (int i = home(dma); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] != dma) {
                continue;
            }
            count--;
            if (v instanceof ArrayDeque<?> several) {
                ArrayDeque<DeviceState.Live> q = (ArrayDeque<DeviceState.Live>) several;
                DeviceState.Live oldest = q.pollFirst();
                if (q.size() == 1) {
                    values[i] = q.peekFirst();
                }
                return oldest;
            }
            removeAt(i);
            return (DeviceState.Live) v;
        }
    }

    /** Frees slot {@code i}, moving back each later entry of its probe run that may then be missed. */
    private void removeAt(int i) {
        int mask = keys.length - 1;
        int free = i;
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int h = home(keys[j]);
            // The entry at j stays unless its home lies cyclically outside (free, j].
            boolean stays = free <= j ? free < h && h <= j : free < h || h <= j;
            if (!stays) {
                keys[free] = keys[j];
                values[free] = values[j];
                free = j;
            }
        }
        values[free] = null;
        slots--;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        shift--;
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] != null) {
                int i = home(oldKeys[j]);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
            }
        }
    }

    /** How many live mappings there are (several at one address each count). */
    int size() {
        return count;
    }

    /** Takes every live mapping, by device address (unsigned), the oldest first at one address. */
    @SuppressWarnings("unchecked")
    List<DeviceState.Live> drain() {
        List<DeviceState.Live> all = new ArrayList<>(count);
        for (Object v : values) {
            if (v instanceof ArrayDeque<?> several) {
                all.addAll((ArrayDeque<DeviceState.Live>) several);
            } else if (v != null) {
                all.add((DeviceState.Live) v);
            }
        }
        all.sort((a, b) -> Long.compareUnsigned(a.dma(), b.dma())); // stable: oldest first at one address
        keys = new long[MIN_CAPACITY];
        values = new Object[MIN_CAPACITY];
        shift = Long.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
        slots = 0;
        count = 0;
        return all;
    }
}
