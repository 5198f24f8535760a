package org.jdma.cli.soak;

import java.lang.foreign.ValueLayout;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.sb16.Playback;
import org.jdma.kernel.drivers.sb16.Sb16Driver;
import org.jdma.kernel.drivers.sb16.ToneGenerator;
import org.jdma.machine.Machine;
import org.jdma.machine.dev.sb16.Sb16Device;

/**
 * The Sound Blaster 16-like DAC's share: a tone played through auto-initialize DMA on the 16-bit
 * channel for the whole run, the driver refilling each half of its buffer from the block interrupt
 * while every other device keeps the bus and the CPUs busy. At the end every byte the DAC played
 * must be what the driver wrote, in order, and no block may have ended before the driver refilled
 * the half after it (an underrun). The card is not reset: a reset ends playback.
 */
final class SoundWork {

    /** Sample rate of the tone, Hz. */
    static final int RATE_HZ = 22_050;
    /** Samples per block (half the buffer): 50 ms at {@link #RATE_HZ}. */
    static final int BLOCK_SAMPLES = RATE_HZ / 20;
    /** Tone frequency, Hz. */
    static final double TONE_HZ = 440;

    private final Machine machine;
    private final SoakConfig config;
    private final Sb16Driver driver;
    private final Sb16Device card;
    private long differingBytes;
    private long played;

    SoundWork(Kernel kernel, Machine machine, SoakConfig config) {
        this.machine = machine;
        this.config = config;
        this.driver = kernel.drivers().drivers(Sb16Driver.class).getFirst();
        this.card = machine.devices(Sb16Device.class).getFirst();
    }

    void start() {
        driver.start(Playback.sixteenBit(RATE_HZ, BLOCK_SAMPLES), new ToneGenerator(TONE_HZ, RATE_HZ, 0.5, true));
        if (config.sabotaged(Sabotage.CORRUPT_SAMPLE)) {
            // The last byte of the first block, which the card has not fetched yet, changed behind the driver.
            long at = driver.bufferPhysical() + Playback.sixteenBit(RATE_HZ, BLOCK_SAMPLES).blockBytes() - 1;
            var ram = machine.physicalMemory().ramSlice(at, 1);
            ram.set(ValueLayout.JAVA_BYTE, 0, (byte) (ram.get(ValueLayout.JAVA_BYTE, 0) ^ 0x01));
        }
    }

    /** Ends playback at the end of the block in progress and compares what was played with what was written. */
    void stopAndVerify() {
        driver.stop();
        machine.clock().runUntil(() -> !card.playing());
        byte[] out = card.played();
        byte[] written = driver.written();
        played = out.length;
        for (int i = 0; i < out.length; i++) {
            if (i >= written.length || out[i] != written[i]) {
                differingBytes++;
            }
        }
    }

    void report(SoakReport r) {
        r.figure("sound         %,d bytes played (16-bit, %,d Hz), %,d blocks, %,d interrupts, %d underruns, %d starved periods",
                played, RATE_HZ, card.blocks(), driver.interrupts(), card.underruns(), card.starvedPeriods());
        r.check("sound: bytes played that differ from what the driver wrote", 0, differingBytes);
        r.check("sound: blocks that ended before the driver refilled the next (underruns)", 0, card.underruns());
    }
}
