package org.jdma.kernel.drivers.sb16;

/** Where the sound driver's samples come from: it asks for the next {@code into.length} bytes each time it refills a half. */
@FunctionalInterface
public interface SampleSource {

    /** Fills {@code into} with the next samples, in the playback's format (8-bit unsigned, or 16-bit signed little-endian). */
    void fill(byte[] into);
}
