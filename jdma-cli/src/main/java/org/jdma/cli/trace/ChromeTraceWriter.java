package org.jdma.cli.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdma.machine.time.TraceRecorder.TraceEvent;

/**
 * Writes trace records as Chrome trace-event JSON ("JSON Object Format" of the Trace Event Format
 * document, catapult-project/catapult docs/trace-event-format.md): complete events ({@code ph:"X"})
 * for slices, instant events ({@code ph:"i"}, thread scope) for instants, and metadata events
 * ({@code ph:"M"}) naming the process and one thread per track. Timestamps are microseconds; we
 * write virtual nanoseconds / 1000 with three decimals so nothing is rounded away.
 *
 * <p>Output depends only on the records' order and content, so the same run gives the same bytes.
 */
public final class ChromeTraceWriter {

    private static final int PID = 1;
    private final JsonFactory factory = new JsonFactory();

    public void write(List<TraceEvent> events, String processName, OutputStream out) throws IOException {
        Map<String, Integer> tids = new LinkedHashMap<>();
        for (TraceEvent e : events) {
            tids.computeIfAbsent(e.track(), t -> tids.size() + 1);
        }
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ns");
            g.writeArrayFieldStart("traceEvents");
            metadata(g, "process_name", 0, processName);
            for (Map.Entry<String, Integer> t : tids.entrySet()) {
                metadata(g, "thread_name", t.getValue(), t.getKey());
                g.writeStartObject();
                g.writeStringField("name", "thread_sort_index");
                g.writeStringField("ph", "M");
                g.writeNumberField("pid", PID);
                g.writeNumberField("tid", t.getValue());
                g.writeObjectFieldStart("args");
                g.writeNumberField("sort_index", t.getValue());
                g.writeEndObject();
                g.writeEndObject();
            }
            for (TraceEvent e : events) {
                g.writeStartObject();
                g.writeStringField("name", e.name());
                g.writeStringField("cat", e.track());
                g.writeStringField("ph", e.instant() ? "i" : "X");
                if (e.instant()) {
                    g.writeStringField("s", "t");
                }
                g.writeFieldName("ts");
                g.writeNumber(micros(e.startNs()));
                if (!e.instant()) {
                    g.writeFieldName("dur");
                    g.writeNumber(micros(e.durationNs()));
                }
                g.writeNumberField("pid", PID);
                g.writeNumberField("tid", tids.get(e.track()));
                if (!e.args().isEmpty()) {
                    g.writeObjectFieldStart("args");
                    for (Map.Entry<String, Object> a : e.args().entrySet()) {
                        Object v = a.getValue();
                        if (v instanceof Long l) {
                            g.writeNumberField(a.getKey(), l);
                        } else if (v instanceof Integer i) {
                            g.writeNumberField(a.getKey(), i);
                        } else {
                            g.writeStringField(a.getKey(), String.valueOf(v));
                        }
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void metadata(JsonGenerator g, String name, int tid, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("ph", "M");
        g.writeNumberField("pid", PID);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeStringField("name", value);
        g.writeEndObject();
        g.writeEndObject();
    }

    /** ns → µs as an exact decimal with three fraction digits (no binary floating point). */
    private static java.math.BigDecimal micros(long ns) {
        return java.math.BigDecimal.valueOf(ns, 3);
    }
}
