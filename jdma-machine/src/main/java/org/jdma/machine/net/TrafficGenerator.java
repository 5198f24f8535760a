package org.jdma.machine.net;

import java.util.Objects;
import java.util.SplittableRandom;
import org.jdma.machine.time.EventKernel;

/**
 * A far end that sends frames into a link: sizes, rate, count and sequence numbers from a
 * {@link GeneratorConfig}, payload bytes from a split of the machine's random source, so the same
 * seed sends the same frames at the same times.
 *
 * <p>Frame {@code k} is due at its nominal time (the start plus the spacing of the frames before
 * it) and is sent then, or when the transmitter is free if it is still busy: offered faster than
 * the wire carries, frames go back to back. While the link is down frames are still sent on
 * schedule, and lost (the link counts them).
 */
public final class TrafficGenerator {

    private static final long PICOS_PER_SECOND = 1_000_000_000_000L;

    private final EventKernel kernel;
    private final LinkEnd end;
    private final GeneratorConfig config;
    private final SplittableRandom random;
    private final LinkParameters.Timing wire;
    private final byte[] header;
    /** The frames' arrays, back from the far end when it is done with them. */
    private final FrameArrays arrays = new FrameArrays();
    private boolean running;
    /** Bumped by each start, so that a send scheduled before a stop and restart does not run twice. */
    private long epoch;
    private boolean finished;
    private long sent;
    private long sentBytes;
    private long nominalPs;
    /** The fractional picoseconds of a pps spacing carried to the next frame (numerator over pps). */
    private long spacingRemainder;
    private Runnable onFinished = () -> { };
    /** The next send of the current epoch: one task per start, not one per frame. */
    private Runnable sendTask;

    /** A generator sending into {@code end}; takes its random source from the kernel's (a split). */
    public TrafficGenerator(EventKernel kernel, LinkEnd end, GeneratorConfig config) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
        this.end = Objects.requireNonNull(end, "end");
        this.config = Objects.requireNonNull(config, "config");
        this.random = kernel.random().split();
        this.wire = LinkParameters.DEFAULT.withBitsPerSecond(end.bitsPerSecond()).timing();
        this.header = header(config);
    }

    public GeneratorConfig config() {
        return config;
    }

    /** Runs {@code action} (on the event kernel) once the last of {@link GeneratorConfig#count()} frames is sent. */
    public void onFinished(Runnable action) {
        this.onFinished = Objects.requireNonNull(action, "action");
    }

    /** Starts (or, after {@link #stop()}, resumes) sending now: the next frame goes at the current virtual time. */
    public void start() {
        if (running || finished) {
            throw new IllegalStateException(finished ? "generator already finished" : "generator already running");
        }
        running = true;
        nominalPs = kernel.now() * 1_000;
        long e = ++epoch;
        sendTask = () -> sendNext(e);
        kernel.schedule(0, "generator send", sendTask);
    }

    /** Stops before the next frame; the frame on the wire still arrives. */
    public void stop() {
        running = false;
    }

    public boolean running() {
        return running;
    }

    /** Whether all {@link GeneratorConfig#count()} frames were sent. */
    public boolean finished() {
        return finished;
    }

    /** Frames handed to the link so far (lost ones included). */
    public long sent() {
        return sent;
    }

    public long sentBytes() {
        return sentBytes;
    }

    private void sendNext(long e) {
        if (!running || e != epoch) {
            return;
        }
        byte[] frame = makeFrame(sent);
        int length = frame.length;
        long freeNs = end.transmit(frame, arrays);
        sent++;
        sentBytes += length;
        if (sent == config.count()) {
            running = false;
            finished = true;
            onFinished.run();
            return;
        }
        nominalPs += spacingPs(length);
        long dueNs = Math.max(Math.floorDiv(nominalPs, 1_000), freeNs);
        kernel.scheduleAt(Math.max(dueNs, kernel.now()), "generator send", sendTask);
    }

    private long spacingPs(int frameBytes) {
        return switch (config.rate()) {
            case GeneratorRate.LineFraction f -> f.fraction() == 1.0 ? wire.framePicoseconds(frameBytes)
                    : Math.round(wire.framePicoseconds(frameBytes) / f.fraction());
            case GeneratorRate.PacketsPerSecond p -> {
                long spacing = PICOS_PER_SECOND / p.pps();
                spacingRemainder += PICOS_PER_SECOND % p.pps();
                if (spacingRemainder >= p.pps()) {
                    spacingRemainder -= p.pps();
                    spacing++;
                }
                yield spacing;
            }
        };
    }

    private byte[] makeFrame(long index) {
        int length = config.sizes().size(index, random);
        byte[] frame = arrays.take(length); // every byte written below
        fillRandom(frame, random);
        System.arraycopy(header, 0, frame, 0, header.length);
        if (config.sequenceNumbers()) {
            GeneratorFrameLayout.putSequence(frame, index);
        }
        if (config.flows() > 0) {
            GeneratorFrameLayout.putFlow(frame, (int) (index % config.flows()));
        }
        return frame;
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * The bytes {@code random.nextBytes(frame)} gives (each {@code nextLong} little-endian, the last
     * one cut short), written eight at a time: SplittableRandom's own nextBytes goes through a
     * generic proxy and cost a fifth of a 1,518-byte forwarding run.
     */
    static void fillRandom(byte[] frame, SplittableRandom random) {
        int i = 0;
        for (int words = frame.length >> 3; words > 0; words--, i += 8) {
            LONG_LE.set(frame, i, random.nextLong());
        }
        if (i < frame.length) {
            for (long rnd = random.nextLong(); i < frame.length; rnd >>>= 8) {
                frame[i++] = (byte) rnd;
            }
        }
    }

    /** Destination, source and EtherType, the same in every frame (flows rewrite the EtherType). */
    private static byte[] header(GeneratorConfig config) {
        byte[] h = new byte[GeneratorFrameLayout.ETHERTYPE + 2];
        putMac(h, GeneratorFrameLayout.DESTINATION, config.destinationMac());
        putMac(h, GeneratorFrameLayout.SOURCE, config.sourceMac());
        h[GeneratorFrameLayout.ETHERTYPE] = (byte) (config.etherType() >>> 8);
        h[GeneratorFrameLayout.ETHERTYPE + 1] = (byte) config.etherType();
        return h;
    }

    private static void putMac(byte[] frame, int offset, long mac) {
        for (int i = 0; i < GeneratorFrameLayout.MAC_BYTES; i++) {
            frame[offset + i] = (byte) (mac >>> (8 * (GeneratorFrameLayout.MAC_BYTES - 1 - i)));
        }
    }
}
