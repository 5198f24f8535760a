package org.jdma.machine.time;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what happened in the machine as timed records: slices (a descriptor being processed,
 * from start to end) and instants (an MSI, a fault). Exporters (the CLI's Chrome/Perfetto writer)
 * read {@link #events()}; the recorder itself holds no format.
 *
 * <p>Tracks are named by the component that emits them ("memcpy0", "memcpy0/ring"). Recording is
 * off by default because a long run makes millions of records; turn it on before the run.
 */
public final class TraceRecorder {

    /** One trace record. {@code durationNs} is 0 for instants. Args keep insertion order. */
    public record TraceEvent(String track, String name, long startNs, long durationNs, boolean instant,
                             Map<String, Object> args) {
        public TraceEvent {
            args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }
    }

    private final List<TraceEvent> events = new ArrayList<>();
    private boolean enabled;
    private long limit = 5_000_000;
    private long dropped;

    public boolean enabled() {
        return enabled;
    }

    public void enable(boolean on) {
        this.enabled = on;
    }

    /** Caps the number of records kept; later records are counted in {@link #dropped()}. */
    public void limit(long maxEvents) {
        this.limit = maxEvents;
    }

    public long dropped() {
        return dropped;
    }

    /**
     * Trace arguments in the order given: {@code args("slot", 3, "status", "SUCCESS")}. Use this, not
     * {@code Map.of}, whose iteration order is salted per JVM and would make two runs of the same seed
     * export their arguments in different orders.
     *
     * @throws IllegalArgumentException if the count is odd or a key is not a String
     */
    public static Map<String, Object> args(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("trace args need key/value pairs, got " + keyValues.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (!(keyValues[i] instanceof String key)) {
                throw new IllegalArgumentException("trace arg key at position " + i + " is not a String: " + keyValues[i]);
            }
            m.put(key, keyValues[i + 1]);
        }
        return m;
    }

    public void slice(String track, String name, long startNs, long durationNs, Map<String, Object> args) {
        add(new TraceEvent(track, name, startNs, durationNs, false, args));
    }

    public void instant(String track, String name, long atNs, Map<String, Object> args) {
        add(new TraceEvent(track, name, atNs, 0, true, args));
    }

    private void add(TraceEvent e) {
        if (!enabled) {
            return;
        }
        if (events.size() >= limit) {
            dropped++;
            return;
        }
        events.add(e);
    }

    public List<TraceEvent> events() {
        return Collections.unmodifiableList(events);
    }

    public void clear() {
        events.clear();
        dropped = 0;
    }

    /**
     * Feeds every record, in order, to {@code digest} in one canonical text form (track, name, start,
     * duration, kind and each argument as {@code key=value} in its order), then the count of dropped
     * records. Two runs whose digests match recorded the same events with the same arguments in the
     * same order, which is what "same seed, same trace" means across JVMs: an argument whose text
     * holds an identity hash, or arguments in a salted map's order, make the digests differ.
     */
    public void digestInto(MessageDigest digest) {
        StringBuilder line = new StringBuilder(128);
        for (TraceEvent e : events) {
            line.setLength(0);
            line.append(e.track()).append('\t').append(e.name()).append('\t').append(e.startNs()).append('\t')
                    .append(e.durationNs()).append('\t').append(e.instant() ? 'i' : 's');
            e.args().forEach((k, v) -> line.append('\t').append(k).append('=').append(v));
            line.append('\n');
            digest.update(line.toString().getBytes(StandardCharsets.UTF_8));
        }
        digest.update(("dropped=" + dropped + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of {@link #digestInto}, in hex. */
    public String sha256() {
        MessageDigest digest = sha256Digest();
        digestInto(digest);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A SHA-256 {@link MessageDigest}; every Java platform has one (Java SE's required algorithms). */
    public static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
