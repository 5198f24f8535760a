package org.jdma.kernel.dma.debug;

import java.util.Arrays;
import java.util.List;

/**
 * A stack a report names, decoded when first asked for: capturing a {@code Throwable} is cheap, but
 * turning its frames into {@link StackTraceElement}s (names, line numbers) costs more than most
 * checks, and most reports are only counted. The checker's own frames are dropped and the depth is
 * capped at {@value #MAX_FRAMES}.
 */
final class ReportStack {

    /** Frames kept of a captured stack. */
    static final int MAX_FRAMES = 24;
    static final ReportStack NONE = new ReportStack(new StackTraceElement[0]);

    private final Throwable captured;
    /** Null until decoded; volatile so that a report handed to another thread sees whole frames. */
    private volatile StackTraceElement[] frames;

    private ReportStack(StackTraceElement[] frames) {
        this.captured = null;
        this.frames = frames;
    }

    private ReportStack(Throwable captured) {
        this.captured = captured;
    }

    /** The stack {@code t} captured, or {@link #NONE} for null. */
    static ReportStack of(Throwable t) {
        return t == null ? NONE : new ReportStack(t);
    }

    /** Frames already decoded (copied). */
    static ReportStack of(StackTraceElement[] frames) {
        return frames.length == 0 ? NONE : new ReportStack(frames.clone());
    }

    /** The frames (shared: callers copy before handing them out). Decoded once; a race decodes twice to the same result. */
    StackTraceElement[] frames() {
        StackTraceElement[] f = frames;
        if (f == null) {
            f = trim(captured.getStackTrace());
            frames = f;
        }
        return f;
    }

    /** Drops the checker's own frames (and the cache's, for sanitizer reports) and caps the depth. */
    private static StackTraceElement[] trim(StackTraceElement[] stack) {
        int from = 0;
        while (from < stack.length && isInternal(stack[from].getClassName())) {
            from++;
        }
        if (from == stack.length) {
            from = 0;
        }
        return Arrays.copyOfRange(stack, from, Math.min(stack.length, from + MAX_FRAMES));
    }

    /** The checker's own classes. */
    private static final List<Class<?>> INTERNAL = List.of(DmaDebug.class, CheckerState.class, DebugChecks.class, DebugReporter.class,
            EntryTable.class, CachelineTracker.class, CoherencySanitizer.class, UnmapHistory.class, DeviceAccessCheck.class);

    /** The checker's own frames, and the cache model's (a sanitizer report is detected inside a cache event). */
    private static boolean isInternal(String className) {
        for (Class<?> c : INTERNAL) {
            if (className.equals(c.getName()) || className.startsWith(c.getName() + "$")) {
                return true;
            }
        }
        return className.startsWith("org.jdma.machine.cache.");
    }
}
