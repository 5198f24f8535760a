package org.jdma.machine.dev.nvme;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The controller's outstanding commands by {@link Command#key(int, int) key} (SQ id and CID): an
 * open-addressing table of primitive keys (linear probing, Fibonacci hashing, backward-shift
 * deletion), so that fetching and completing a command neither box a key nor allocate a node.
 * One command per key: a second with the same key is a CID conflict, which the caller refuses.
 * Not thread-safe: the controller runs on the machine thread.
 */
final class CommandTable {

    private static final int MIN_CAPACITY = 16;
    private static final long FIBONACCI = 0x9E37_79B9_7F4A_7C15L;

    private long[] keys = new long[MIN_CAPACITY];
    /** Per slot: null (free) or the command whose key is in {@link #keys}. */
    private Command[] values = new Command[MIN_CAPACITY];
    private int shift = Long.SIZE - Integer.numberOfTrailingZeros(MIN_CAPACITY);
    private int size;

    private int home(long key) {
        return (int) ((key * FIBONACCI) >>> shift);
    }

    int size() {
        return size;
    }

    /** The command under {@code key}, or null. */
    Command get(long key) {
        int mask = keys.length - 1;
        for (int i = home(key); ; i = (i + 1) & mask) {
            Command v = values[i];
            if (v == null || keys[i] == key) {
                return v;
            }
        }
    }

    /** Adds {@code c} under {@code key} unless a command is there already; returns that one, else null. */
    Command putIfAbsent(long key, Command c) {
        int mask = keys.length - 1;
        for (int i = home(key); ; i = (i + 1) & mask) {
            Command v = values[i];
            if (v == null) {
                keys[i] = key;
                values[i] = c;
                if (++size * 2 > keys.length) {
                    grow();
                }
                return null;
            }
            if (keys[i] == key) {
                return v;
            }
        }
    }

    /** Removes and returns the command under {@code key}, or null. */
    Command remove(long key) {
        int mask = keys.length - 1;
        for (int i = home(key); ; i = (i + 1) & mask) {
            Command v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                removeAt(i);
                return v;
            }
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
        size--;
    }

    private void grow() {
        long[] oldKeys = keys;
        Command[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Command[oldValues.length * 2];
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

    /** Forgets every command (the table keeps its capacity). */
    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    /** The commands whose key has SQ id {@code sqid}, by ascending CID. */
    List<Command> of(int sqid) {
        List<Command> found = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != null && Command.sqid(keys[i]) == sqid) {
                found.add(values[i]);
            }
        }
        found.sort(Comparator.comparingInt(Command::cid));
        return found;
    }
}
