package org.jdma.kernel.mm;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * The holds on {@link DmaPins}' pins: per hold the pin it is on, who holds it (user, tag, field)
 * and the bus range named. Slots come from a free list, so a hold allocates nothing once the
 * arrays have grown to the peak number of holds. A hold id is its slot with a generation in the
 * upper half, so releasing an id twice (or after a detach dropped it) releases nothing. Guarded by
 * the lock of its {@link DmaPins}.
 */
final class PinHolds {

    private static final int NONE = -1;

    private int[] pin = new int[64];
    private int[] generation = new int[64];
    private Object[] user = new Object[64];
    private long[] tag = new long[64];
    private String[] field = new String[64];
    private long[] address = new long[64];
    private long[] length = new long[64];
    /** Next free slot. */
    private int[] next = new int[64];
    private int freeHead = NONE;
    private int used;
    private int live;

    PinHolds() {
        Arrays.fill(pin, NONE);
    }

    long add(int pinSlot, Object who, long useTag, String what, long busAddress, long len) {
        int s = freeHead;
        if (s != NONE) {
            freeHead = next[s];
        } else {
            if (used == pin.length) {
                grow();
            }
            s = used++;
        }
        pin[s] = pinSlot;
        user[s] = who;
        tag[s] = useTag;
        field[s] = what;
        address[s] = busAddress;
        length[s] = len;
        live++;
        return ((long) generation[s] << 32) | s;
    }

    /** Removes the hold {@code id}; returns the pin it was on, or -1 when it is not live. */
    int remove(long id) {
        if (id < 0) {
            return NONE;
        }
        int s = (int) id;
        if (s >= used || pin[s] == NONE || generation[s] != (int) (id >>> 32)) {
            return NONE;
        }
        int p = pin[s];
        free(s);
        return p;
    }

    /** Removes every hold of {@code who} on a pin {@code onPin} accepts (it adjusts the pin's count); returns how many. */
    int removeAll(Object who, IntPredicate onPin) {
        int n = 0;
        for (int s = 0; s < used; s++) {
            if (pin[s] != NONE && user[s] == who && onPin.test(pin[s])) {
                free(s);
                n++;
            }
        }
        return n;
    }

    /** Forgets the holds on {@code pinSlot} (its mapping went with a detach). */
    void dropPin(int pinSlot) {
        for (int s = 0; s < used; s++) {
            if (pin[s] == pinSlot) {
                free(s);
            }
        }
    }

    /** The first hold on {@code pinSlot}, as a record naming {@code mapping}. */
    MappingHold describe(int pinSlot, LiveMapping mapping) {
        for (int s = 0; s < used; s++) {
            if (pin[s] == pinSlot) {
                return new MappingHold(mapping, user[s], tag[s], field[s], address[s], length[s]);
            }
        }
        throw new IllegalStateException("pin " + pinSlot + " is counted as held but no hold names it");
    }

    int size() {
        return live;
    }

    private void free(int s) {
        pin[s] = NONE;
        user[s] = null;
        field[s] = null;
        generation[s] = (generation[s] + 1) & 0x7FFF_FFFF; // ids stay non-negative
        next[s] = freeHead;
        freeHead = s;
        live--;
    }

    private void grow() {
        int n = pin.length * 2;
        pin = Arrays.copyOf(pin, n);
        Arrays.fill(pin, used, n, NONE);
        generation = Arrays.copyOf(generation, n);
        user = Arrays.copyOf(user, n);
        tag = Arrays.copyOf(tag, n);
        field = Arrays.copyOf(field, n);
        address = Arrays.copyOf(address, n);
        length = Arrays.copyOf(length, n);
        next = Arrays.copyOf(next, n);
    }
}
