package org.jdma.machine.cache;

import java.util.Arrays;
import java.util.Objects;
import org.jdma.platform.CacheObserver;

/**
 * The observers of one cache, as an array swapped on change (copy on write), so that the hot
 * paths pay one volatile read and a length check when nobody watches. Device threads read it from
 * the snoop hooks while the CPU thread may be adding an observer; the swap makes that safe.
 */
final class Observers {

    private static final CacheObserver[] NONE = new CacheObserver[0];

    private volatile CacheObserver[] all = NONE;

    /** The current observers; empty (never null) when there are none. Do not modify. */
    CacheObserver[] get() {
        return all;
    }

    synchronized void add(CacheObserver observer) {
        Objects.requireNonNull(observer, "observer");
        CacheObserver[] now = all;
        CacheObserver[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = observer;
        all = next;
    }

    synchronized void remove(CacheObserver observer) {
        CacheObserver[] now = all;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == observer) {
                CacheObserver[] next = new CacheObserver[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                all = next;
                return;
            }
        }
    }

    /** Reports a device read of every line that [phys, phys + length) touches. */
    static void deviceRead(CacheObserver[] obs, long phys, long length, int lineSize) {
        long end = phys + length;
        for (long line = phys & -lineSize; line < end; line += lineSize) {
            for (CacheObserver o : obs) {
                o.deviceRead(line);
            }
        }
    }

    /** Reports a device write of every line that [phys, phys + length) touches. */
    static void deviceWrite(CacheObserver[] obs, long phys, long length, int lineSize) {
        long end = phys + length;
        for (long line = phys & -lineSize; line < end; line += lineSize) {
            for (CacheObserver o : obs) {
                o.deviceWrite(line);
            }
        }
    }

    /** Reports a CPU read of every line that [phys, phys + length) touches, each as {@code hit}. */
    static void cpuRead(CacheObserver[] obs, long phys, long length, int lineSize, boolean hit) {
        long end = phys + length;
        for (long line = phys & -lineSize; line < end; line += lineSize) {
            for (CacheObserver o : obs) {
                o.cpuRead(line, hit);
            }
        }
    }

    /** Reports a CPU write of every line that [phys, phys + length) touches. */
    static void cpuWrite(CacheObserver[] obs, long phys, long length, int lineSize) {
        long end = phys + length;
        for (long line = phys & -lineSize; line < end; line += lineSize) {
            for (CacheObserver o : obs) {
                o.cpuWrite(line);
            }
        }
    }

    /** A device read of [phys, phys + length), told to the observers line by line; nothing when none watches. */
    void onDeviceRead(long phys, long length, int lineSize) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            deviceRead(obs, phys, length, lineSize);
        }
    }

    /** A device write of [phys, phys + length), told to the observers line by line; nothing when none watches. */
    void onDeviceWrite(long phys, long length, int lineSize) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            deviceWrite(obs, phys, length, lineSize);
        }
    }

    /** A CPU read of [phys, phys + length) that hit every line (a coherent cache), told to the observers. */
    void onCpuReadHit(long phys, long length, int lineSize) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            cpuRead(obs, phys, length, lineSize, true);
        }
    }

    /** A CPU write of [phys, phys + length), told to the observers line by line. */
    void onCpuWrite(long phys, long length, int lineSize) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            cpuWrite(obs, phys, length, lineSize);
        }
    }

    /** An uncached CPU read of [phys, phys + length): reported as a miss of every line it touches. */
    void uncachedRead(long phys, int lineSize, long length) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            cpuRead(obs, phys, length, lineSize, false);
        }
    }

    /** An uncached CPU write of [phys, phys + length): reported for every line it touches. */
    void uncachedWrite(long phys, int lineSize, long length) {
        CacheObserver[] obs = all;
        if (obs.length != 0) {
            cpuWrite(obs, phys, length, lineSize);
        }
    }
}
