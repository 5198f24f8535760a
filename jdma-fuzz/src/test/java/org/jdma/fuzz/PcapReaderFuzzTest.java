package org.jdma.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdma.spec.pcap.PcapFormatException;
import org.jdma.spec.pcap.PcapReader;
import org.jdma.spec.pcap.PcapRecord;
import org.jdma.spec.pcap.PcapWriter;

/**
 * The pcap reader's one-exception contract under coverage-guided fuzzing: for any bytes it returns
 * records or throws {@link PcapFormatException} naming an offset inside the input; any other
 * exception or error is a finding. What it does read, written again with the same header, reads
 * back the same.
 *
 * <p>Regression mode replays {@code src/test/resources/org/jdma/fuzz/PcapReaderFuzzTestInputs/<method>/}
 * (an empty file, a header alone, little-endian µs and big-endian ns files with records). Fuzzing:
 * <pre>
 * JAZZER_FUZZ=1 mvn -pl jdma-fuzz -am test -Dtest='PcapReaderFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
class PcapReaderFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void readerThrowsOnlyPcapFormatExceptionAndRoundTripsWhatItReads(byte[] input) {
        List<PcapRecord> records = new ArrayList<>();
        PcapReader reader;
        try {
            reader = new PcapReader(new ByteArrayInputStream(input));
            for (PcapRecord r; (r = reader.next()) != null; ) {
                check(r.data().length <= reader.header().snapLength(), "record longer than snaplen");
                check(r.data().length <= r.originalLength(), "record longer than its original");
                records.add(r);
            }
        } catch (PcapFormatException e) {
            check(e.offset() >= 0 && e.offset() <= input.length, "offset " + e.offset() + " outside " + input.length + " bytes");
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array does not fail to read", e);
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(again, reader.header())) {
            for (PcapRecord r : records) {
                w.write(r.timestampNs(), r.data());
            }
            List<PcapRecord> back = new ArrayList<>();
            PcapReader second = new PcapReader(new ByteArrayInputStream(again.toByteArray()));
            for (PcapRecord r; (r = second.next()) != null; ) {
                back.add(r);
            }
            check(back.size() == records.size(), "rewritten file has " + back.size() + " records, not " + records.size());
            for (int i = 0; i < back.size(); i++) {
                check(Arrays.equals(back.get(i).data(), records.get(i).data()), "record " + i + " bytes differ");
                check(back.get(i).timestampNs() == records.get(i).timestampNs(), "record " + i + " time differs");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rewriting what was read failed", e);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
