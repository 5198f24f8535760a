package org.jdma.cli.dmar;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import org.jdma.kernel.acpi.AcpiTableHeader;
import org.jdma.kernel.acpi.DeviceScope;
import org.jdma.kernel.acpi.DeviceScopeType;
import org.jdma.kernel.acpi.AcpiTableProblem;
import org.jdma.kernel.acpi.DmarTable;
import org.jdma.kernel.acpi.PciPathEntry;
import org.jdma.kernel.acpi.RemappingStructure;

/**
 * A parsed DMAR table as JSON, for programs: every field of the kernel's model
 * ({@link DmarTable}), written with jackson-core's streaming generator.
 *
 * <pre>
 * { "source": "...",
 *   "header": { "signature", "length", "revision", "checksum", "oemId", "oemTableId",
 *               "oemRevision", "creatorId", "creatorRevision" },
 *   "hostAddressWidth": 38, "physicalAddressBits": 39,
 *   "flags": { "value": 5, "intrRemap": true, "x2apicOptOut": false, "dmaCtrlPlatformOptIn": true },
 *   "structures": [ { "type": "DRHD", "typeCode": 0, ... "scopes": [ { "type": "PCI_ENDPOINT",
 *                     "typeCode": 1, "flags", "enumerationId", "startBus",
 *                     "path": [ { "device": 2, "function": 0 } ] } ] }, ... ],
 *   "warnings": [ { "offset": 9, "field": "ACPI.Checksum", "message": "..." } ] }
 * </pre>
 * Addresses (register bases, RMRR base and limit) are strings {@code "0x..."} in hexadecimal,
 * because they are unsigned 64-bit values that JSON numbers do not carry exactly everywhere;
 * every other field is a number, a boolean or a string. A structure of unknown type is
 * {@code {"type": "UNKNOWN", "typeCode": n, "bytes": "hex pairs"}}, header included; an unknown
 * device scope type is {@code "UNKNOWN"} with its {@code typeCode}. {@code warnings} is empty
 * unless the table was read leniently and something was wrong; {@code header} and the fields
 * after it are {@code null} when nothing could be read.
 */
public final class DmarJson {
    private DmarJson() { }

    private static final JsonFactory FACTORY = new JsonFactory();

    /** Writes the document, pretty-printed, with one trailing newline. Flushes but does not close {@code out}. */
    public static void write(Writer out, String source, DmarTable table, List<AcpiTableProblem> warnings) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("source", source);
            if (table == null) {
                g.writeNullField("header");
            } else {
                header(g, table.header());
                g.writeNumberField("hostAddressWidth", table.hostAddressWidth());
                g.writeNumberField("physicalAddressBits", table.physicalAddressBits());
                g.writeObjectFieldStart("flags");
                g.writeNumberField("value", table.flags());
                g.writeBooleanField("intrRemap", (table.flags() & DmarTable.FLAG_INTR_REMAP) != 0);
                g.writeBooleanField("x2apicOptOut", (table.flags() & DmarTable.FLAG_X2APIC_OPT_OUT) != 0);
                g.writeBooleanField("dmaCtrlPlatformOptIn", (table.flags() & DmarTable.FLAG_DMA_CTRL_PLATFORM_OPT_IN) != 0);
                g.writeEndObject();
                g.writeArrayFieldStart("structures");
                for (RemappingStructure s : table.structures()) {
                    structure(g, s);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("warnings");
            for (AcpiTableProblem w : warnings) {
                g.writeStartObject();
                g.writeNumberField("offset", w.offset());
                g.writeStringField("field", w.field());
                g.writeStringField("message", w.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }

    private static void header(JsonGenerator g, AcpiTableHeader h) throws IOException {
        g.writeObjectFieldStart("header");
        g.writeStringField("signature", h.signature());
        g.writeNumberField("length", h.length());
        g.writeNumberField("revision", h.revision());
        g.writeNumberField("checksum", h.checksum());
        g.writeStringField("oemId", h.oemId());
        g.writeStringField("oemTableId", h.oemTableId());
        g.writeNumberField("oemRevision", h.oemRevision());
        g.writeStringField("creatorId", h.creatorId());
        g.writeNumberField("creatorRevision", h.creatorRevision());
        g.writeEndObject();
    }

    private static void structure(JsonGenerator g, RemappingStructure s) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", typeName(s));
        g.writeNumberField("typeCode", s.type());
        switch (s) {
            case RemappingStructure.Drhd d -> {
                g.writeNumberField("flags", d.flags());
                g.writeBooleanField("includePciAll", d.includePciAll());
                g.writeNumberField("size", d.size());
                g.writeNumberField("segment", d.segment());
                g.writeStringField("registerBase", hex(d.registerBase()));
                scopes(g, d.scopes());
            }
            case RemappingStructure.Rmrr r -> {
                g.writeNumberField("segment", r.segment());
                g.writeStringField("base", hex(r.base()));
                g.writeStringField("limit", hex(r.limit()));
                scopes(g, r.scopes());
            }
            case RemappingStructure.Atsr a -> {
                g.writeNumberField("flags", a.flags());
                g.writeBooleanField("allPorts", a.allPorts());
                g.writeNumberField("segment", a.segment());
                scopes(g, a.scopes());
            }
            case RemappingStructure.Rhsa r -> {
                g.writeStringField("registerBase", hex(r.registerBase()));
                g.writeNumberField("proximityDomain", r.proximityDomain());
            }
            case RemappingStructure.Andd a -> {
                g.writeNumberField("acpiDeviceNumber", a.acpiDeviceNumber());
                g.writeStringField("objectName", a.objectName());
            }
            case RemappingStructure.Satc sa -> {
                g.writeNumberField("flags", sa.flags());
                g.writeBooleanField("atcRequired", (sa.flags() & RemappingStructure.Satc.FLAG_ATC_REQUIRED) != 0);
                g.writeNumberField("segment", sa.segment());
                scopes(g, sa.scopes());
            }
            case RemappingStructure.Sidp si -> {
                g.writeNumberField("segment", si.segment());
                scopes(g, si.scopes());
            }
            case RemappingStructure.Unknown u -> g.writeStringField("bytes", u.bytes().toString());
        }
        g.writeEndObject();
    }

    /** The structure's VT-d abbreviation (DRHD, RMRR, ...), or UNKNOWN. */
    static String typeName(RemappingStructure s) {
        return switch (s) {
            case RemappingStructure.Drhd d -> "DRHD";
            case RemappingStructure.Rmrr r -> "RMRR";
            case RemappingStructure.Atsr a -> "ATSR";
            case RemappingStructure.Rhsa r -> "RHSA";
            case RemappingStructure.Andd a -> "ANDD";
            case RemappingStructure.Satc sa -> "SATC";
            case RemappingStructure.Sidp si -> "SIDP";
            case RemappingStructure.Unknown u -> "UNKNOWN";
        };
    }

    private static void scopes(JsonGenerator g, List<DeviceScope> scopes) throws IOException {
        g.writeArrayFieldStart("scopes");
        for (DeviceScope d : scopes) {
            g.writeStartObject();
            g.writeStringField("type", d.knownType().map(DeviceScopeType::name).orElse("UNKNOWN"));
            g.writeNumberField("typeCode", d.type());
            g.writeNumberField("flags", d.flags());
            g.writeNumberField("enumerationId", d.enumerationId());
            g.writeNumberField("startBus", d.startBus());
            g.writeArrayFieldStart("path");
            for (PciPathEntry p : d.path()) {
                g.writeStartObject();
                g.writeNumberField("device", p.device());
                g.writeNumberField("function", p.function());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String hex(long unsigned) {
        return "0x" + Long.toHexString(unsigned);
    }
}
