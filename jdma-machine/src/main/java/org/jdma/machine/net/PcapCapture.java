package org.jdma.machine.net;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pcap.PcapLayout;
import org.jdma.spec.pcap.PcapWriter;

/**
 * A far end that writes every frame that arrives into a pcap file, stamped with its modeled
 * arrival time (the virtual nanoseconds since the run began, plus an epoch offset: 0 puts the run
 * at 1970-01-01 00:00 UTC). With a microsecond file the stamps are cut to the microsecond.
 *
 * <p>A write that fails does not stop the machine: the capture keeps the first error, counts the
 * frames it could not write, and {@link #close()} throws that error.
 */
public final class PcapCapture implements FrameReceiver, Closeable {

    private final EventKernel kernel;
    private final PcapWriter writer;
    private final long epochOffsetNs;
    private long written;
    private long failed;
    private IOException error;

    /** Writes into {@code writer} (an Ethernet capture), which {@link #close()} closes. */
    public PcapCapture(EventKernel kernel, PcapWriter writer, long epochOffsetNs) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.writer = Objects.requireNonNull(writer, "writer");
        if (writer.header().linkType() != PcapLayout.LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("a capture of an Ethernet link needs LINKTYPE_ETHERNET (1), the writer has "
                    + writer.header().linkType());
        }
        if (epochOffsetNs < 0) {
            throw new IllegalArgumentException("epoch offset must be >= 0 ns, was " + epochOffsetNs);
        }
        this.epochOffsetNs = epochOffsetNs;
    }

    public PcapCapture(EventKernel kernel, PcapWriter writer) {
        this(kernel, writer, 0);
    }

    @Override
    public void receive(byte[] frame) {
        if (error != null) {
            failed++;
            return;
        }
        try {
            writer.write(epochOffsetNs + kernel.now(), frame);
            written++;
        } catch (IOException | IllegalArgumentException e) {
            error = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            failed++;
        }
    }

    /** Frames written. */
    public long written() {
        return written;
    }

    /** Frames that arrived after (or with) a failed write and are not in the file. */
    public long failed() {
        return failed;
    }

    /** The first write error, or null. */
    public IOException error() {
        return error;
    }

    /** Closes the file; throws the first write error if there was one. */
    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } catch (IOException e) {
            if (error == null) {
                throw e;
            }
            error.addSuppressed(e);
        }
        if (error != null) {
            throw new IOException(failed + " frame(s) not captured: " + error.getMessage(), error);
        }
    }
}
