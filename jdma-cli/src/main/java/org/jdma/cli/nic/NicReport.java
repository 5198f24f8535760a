package org.jdma.cli.nic;

import org.jdma.spec.ixgbe.IxgbeRegisters;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Locale;
import org.jdma.cli.options.IommuModeNames;
import org.jdma.kernel.net.app.CpuCostModel;
import org.jdma.machine.net.SequenceReport;

/** Prints a {@link NicResult}: the header, one line per interval, the totals; or all of it as JSON. */
final class NicReport {

    private static final JsonFactory FACTORY = new JsonFactory();

    private NicReport() { }

    static String mode(NicScenario s) {
        return IommuModeNames.label(s.iommu());
    }

    static void header(PrintWriter out, NicScenario s) {
        String what = switch (s.mode()) {
            case FWD -> String.format("%d-byte frames at %s of line rate, forwarded %s", s.frameBytes(), percent(s.lineFraction()),
                    s.bidirectional() ? "both ways" : "A to B");
            case PKTGEN -> String.format("the host sends %d-byte frames%s on eth0", s.frameBytes(),
                    s.lineFraction() >= 1 ? "" : " at " + percent(s.lineFraction()) + " of line rate");
            case PCAP -> String.format("%s replayed at %s into eth0, forwarded to eth1%s", s.pcapIn(),
                    s.pacing() == org.jdma.machine.net.PcapReplayer.Pacing.LINE_RATE ? "line rate" : "its timestamps",
                    s.pcapOut() == null ? "" : ", captured to " + s.pcapOut());
        };
        out.printf("jdma run nic %s: %s, %d queue pair(s) on %d CPU(s), IOMMU %s%s, seed %d%n", s.mode().name().toLowerCase(Locale.ROOT),
                what, s.queues(), s.cpus(), mode(s), s.nonCoherent() ? ", non-coherent cache" : "", s.seed());
        CpuCostModel c = s.cost();
        out.printf("  CPU cost model: %.2f GHz; driver %d cycles per batch + %d per received + %d per sent packet; DMA API map %d,"
                        + " unmap %d, sync %d; IOMMU map +%d, unmap +%d, invalidation request %d cycles%n", c.cpuGhz(), c.batchCycles(),
                c.rxPacketCycles(), c.txPacketCycles(), c.mapCycles(), c.unmapCycles(), c.syncCycles(), c.iommuMapCycles(),
                c.iommuUnmapCycles(), c.invalidationCycles());
        out.printf("  %9s %9s %7s %9s %7s %9s %8s %11s %9s %30s %9s%n", "time s", "A>B Mpps", "Gbit/s", "B>A Mpps", "Gbit/s", "drops",
                "irq/s", "IOTLB m/pkt", "inval/pkt", "CPU ns/pkt drv/map/iommu/wait", "sim x");
        out.flush();
    }

    static void interval(PrintWriter out, NicSample x) {
        out.printf("  %9.3f %9.3f %7.2f %9.3f %7.2f %,9d %8.0f %11.3f %9.3f %7.1f %5.1f/%5.1f/%5.1f/%5.1f %9.4f%n", x.endNs() / 1e9, x.mppsAb(),
                x.gbpsAb(), x.mppsBa(), x.gbpsBa(), x.drops(), x.interruptsPerS(), x.iotlbMissesPerPacket(), x.invalidationsPerPacket(),
                x.cpuNs(), x.driverNs(), x.mappingNs(), x.iommuNs(), x.waitNs(), x.simSpeed());
        out.flush();
    }

    static void totals(PrintWriter out, NicResult r) {
        NicSample t = r.total();
        out.printf("Total over %.6f s of modeled time%n", (t.endNs() - t.startNs()) / 1e9);
        out.printf("  A->B           %.3f Mpps  %.3f Gbit/s  (%,d frames)%n", t.mppsAb(), t.gbpsAb(), t.framesAb());
        if (r.scenario().mode() == NicMode.FWD && r.scenario().bidirectional()) {
            out.printf("  B->A           %.3f Mpps  %.3f Gbit/s  (%,d frames)%n", t.mppsBa(), t.gbpsBa(), t.framesBa());
        }
        if (r.forwardedAb().size() > 1) {
            out.printf("  A->B by queue  %s%n", r.forwardedAb().stream().map(n -> String.format("%,d", n))
                    .collect(java.util.stream.Collectors.joining(" / ")));
        }
        out.printf("  sources        %,d frames sent%n", r.sourceFrames());
        out.printf("  drops          %,d%n", t.drops());
        if (r.scenario().rxPath() == NicRxPath.NAPI) {
            out.printf("  interrupts/s   %.0f, %.4f per packet (NAPI, EITR %s)%n", t.interruptsPerS(), t.interruptsPerPacket(),
                    r.scenario().itrUs() == 0 ? "off" : String.format("%.3f us", IxgbeRegisters.eitrIntervalNs(r.scenario().eitrField()) / 1e3));
            out.printf("  NAPI polls     %,d, %,d took the whole budget; %,d TX descriptors cleaned%n", t.polls(), t.fullPolls(), t.txCleaned());
        } else {
            out.printf("  interrupts/s   %.0f (the applications poll, as ixy does)%n", t.interruptsPerS());
        }
        out.printf("  IOTLB misses   %.3f per packet%n", t.iotlbMissesPerPacket());
        out.printf("  invalidations  %.3f per packet%n", t.invalidationsPerPacket());
        out.printf("  CPU per packet %.2f ns: driver %.2f, mapping %.2f, IOMMU %.2f, MMIO and waits %.2f (%.1f%% of a CPU busy,"
                + " the rest idle polls)%n", t.cpuNs(), t.driverNs(), t.mappingNs(), t.iommuNs(), t.waitNs(), t.busyCpus() * 100);
        if (r.scenario().flows() > 0) {
            out.printf("  sequence       not checked: flow frames (--flows) are IPv4/UDP and carry no sequence number%n");
        } else {
            out.printf("  sequence A->B  %s%n", sequence(r.sequenceAb()));
            if (r.scenario().bidirectional()) {
                out.printf("  sequence B->A  %s%n", sequence(r.sequenceBa()));
            }
        }
        out.printf("  sim speed      %.4f modeled s per wall s%n", t.simSpeed());
        out.flush();
    }

    private static String sequence(SequenceReport s) {
        return String.format("%,d received, %,d lost, %,d reordered, %,d duplicated", s.received(), s.lost(), s.reordered(), s.duplicated());
    }

    private static String percent(double fraction) {
        return String.format("%.4g%%", fraction * 100);
    }

    static void json(Writer w, NicResult r) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            NicScenario s = r.scenario();
            g.writeStringField("mode", s.mode().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("frameBytes", s.frameBytes());
            g.writeNumberField("lineFraction", s.lineFraction());
            g.writeStringField("iommu", mode(s));
            g.writeNumberField("queues", s.queues());
            g.writeNumberField("cpus", s.cpus());
            g.writeNumberField("seed", s.seed());
            g.writeBooleanField("bidirectional", s.bidirectional());
            g.writeNumberField("cpuGhz", s.cost().cpuGhz());
            g.writeNumberField("sourceFrames", r.sourceFrames());
            g.writeNumberField("flows", s.flows());
            g.writeStringField("rxPath", s.rxPath().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("itrUs", s.itrUs());
            g.writeArrayFieldStart("forwardedAbByQueue");
            for (long n : r.forwardedAb()) {
                g.writeNumber(n);
            }
            g.writeEndArray();
            g.writeFieldName("total");
            sample(g, r.total());
            g.writeArrayFieldStart("intervals");
            for (NicSample x : r.intervals()) {
                sample(g, x);
            }
            g.writeEndArray();
            g.writeBooleanField("sequenceChecked", s.flows() == 0);
            sequence(g, "sequenceAb", r.sequenceAb());
            sequence(g, "sequenceBa", r.sequenceBa());
            g.writeEndObject();
        }
    }

    private static void sample(JsonGenerator g, NicSample x) throws IOException {
        g.writeStartObject();
        g.writeNumberField("startNs", x.startNs());
        g.writeNumberField("endNs", x.endNs());
        g.writeNumberField("mppsAb", x.mppsAb());
        g.writeNumberField("gbpsAb", x.gbpsAb());
        g.writeNumberField("mppsBa", x.mppsBa());
        g.writeNumberField("gbpsBa", x.gbpsBa());
        g.writeNumberField("framesAb", x.framesAb());
        g.writeNumberField("framesBa", x.framesBa());
        g.writeNumberField("drops", x.drops());
        g.writeNumberField("interruptsPerS", x.interruptsPerS());
        g.writeNumberField("iotlbMissesPerPacket", x.iotlbMissesPerPacket());
        g.writeNumberField("invalidationsPerPacket", x.invalidationsPerPacket());
        g.writeNumberField("cpuNsPerPacket", x.cpuNs());
        g.writeNumberField("driverNsPerPacket", x.driverNs());
        g.writeNumberField("mappingNsPerPacket", x.mappingNs());
        g.writeNumberField("iommuNsPerPacket", x.iommuNs());
        g.writeNumberField("waitNsPerPacket", x.waitNs());
        g.writeNumberField("simSpeed", x.simSpeed());
        g.writeNumberField("busyCpus", x.busyCpus());
        g.writeNumberField("interruptsPerPacket", x.interruptsPerPacket());
        g.writeNumberField("polls", x.polls());
        g.writeNumberField("fullPolls", x.fullPolls());
        g.writeNumberField("txCleaned", x.txCleaned());
        g.writeEndObject();
    }

    private static void sequence(JsonGenerator g, String name, SequenceReport s) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("received", s.received());
        g.writeNumberField("lost", s.lost());
        g.writeNumberField("reordered", s.reordered());
        g.writeNumberField("duplicated", s.duplicated());
        g.writeEndObject();
    }
}
