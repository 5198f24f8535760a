package org.jdma.cli.trace;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import jdk.jfr.Configuration;
import jdk.jfr.Event;
import jdk.jfr.Recording;
import org.jdma.kernel.jfr.DmaMapEvent;
import org.jdma.kernel.jfr.DmaUnmapEvent;
import org.jdma.machine.jfr.DescriptorCompletionEvent;
import org.jdma.machine.jfr.InterruptDeliveredEvent;
import org.jdma.machine.jfr.IommuFaultEvent;
import org.jdma.machine.jfr.IotlbInvalidationEvent;
import org.jdma.machine.jfr.IotlbMissEvent;
import picocli.CommandLine.Option;

/**
 * {@code --jfr FILE}, mixed into the scenario commands: records the run with JDK Flight Recorder,
 * the JDK's {@code default} settings (CPU samples, GC, allocation) plus every {@code org.jdma.*}
 * event with no threshold, and writes the recording to FILE when the command ends. Without the
 * option nothing is started and the events cost one probe check each.
 */
public final class JfrOption {

    /** Every event jdma defines, kernel and machine. */
    public static final List<Class<? extends Event>> EVENTS = List.of(DmaMapEvent.class, DmaUnmapEvent.class,
            IommuFaultEvent.class, IotlbMissEvent.class, IotlbInvalidationEvent.class, DescriptorCompletionEvent.class,
            InterruptDeliveredEvent.class);

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Record the run with JDK Flight Recorder into FILE: the JDK's default events and jdma's org.jdma.* events "
                    + "(DMA map/unmap, IOMMU faults, IOTLB misses and invalidations, descriptor completions, interrupts). "
                    + "Read it with JDK Mission Control or `jfr print --categories jdma FILE`.")
    Path file;

    private Recording recording;

    public boolean enabled() {
        return file != null;
    }

    /** Starts the recording when the option is given (call it once, before the run). */
    public void start() {
        if (file == null) {
            return;
        }
        try {
            recording = new Recording(Configuration.getConfiguration("default"));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("--jfr: the JDK's 'default' recording settings cannot be read: " + e.getMessage(), e);
        }
        for (Class<? extends Event> c : EVENTS) {
            recording.enable(c).withoutThreshold().withoutStackTrace();
        }
        recording.setName("jdma");
        recording.setToDisk(true);
        recording.start();
    }

    /**
     * Stops the recording and writes it to FILE; says where on {@code err} (so {@code --json}
     * output stays JSON). Does nothing when the option was not given or the recording not started.
     */
    public void stop(PrintWriter err) {
        if (recording == null) {
            return;
        }
        try (Recording r = recording) {
            recording = null;
            r.stop();
            r.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException("--jfr: cannot write the recording to " + file + ": " + e.getMessage(), e);
        }
        err.printf("jfr: recording written to %s (jfr print --categories jdma %s)%n", file, file);
        err.flush();
    }
}
