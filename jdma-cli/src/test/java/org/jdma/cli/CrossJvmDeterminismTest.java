package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdma.cli.trace.TraceDigestOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Same seed, same trace, in another process: each scenario runs in two fresh JVMs whose hash salts
 * differ ({@code Map.of}'s salt is drawn per JVM; the second JVM also gives every object the same
 * identity hash), and the {@code --trace-digest} lines must match. A subset of
 * {@code scripts/determinism}'s matrix, chosen to cover every mode at least once.
 */
class CrossJvmDeterminismTest {

    /** Makes identity hash codes constant, so any order drawn from them changes between the two JVMs. */
    private static final List<String> OTHER_HASHING = List.of("-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2");

    private record Digest(String line, long events) { }

    private static Digest runInNewJvm(List<String> jvmFlags, String commandLine) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new AssertionError("no java command for this JVM"));
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", classPath(), Main.class.getName()));
        cmd.addAll(Arrays.asList(commandLine.split(" ")));
        cmd.add("--trace-digest");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "jdma " + commandLine + " did not finish");
        assertEquals(0, p.exitValue(), "jdma " + commandLine + " failed:\n" + out);
        String line = out.lines().filter(l -> l.startsWith(TraceDigestOption.PREFIX)).findFirst()
                .orElseThrow(() -> new AssertionError("no digest line from jdma " + commandLine + ":\n" + out));
        long events = Long.parseLong(line.replaceAll(".*\\((\\d+) events.*", "$1"));
        return new Digest(line, events);
    }

    /** Everything this test JVM loads, as one class path: surefire puts the modules on the module path. */
    private static String classPath() {
        return Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
                .filter(p -> p != null && !p.isEmpty()).collect(Collectors.joining(File.pathSeparator));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "run memcpy --quiet --count 6 --iommu strict --cpus 4 --engines 2",
        "run memcpy --quiet --count 6 --iommu lazy --polled --non-coherent",
        "run memcpy --quiet --count 6 --iommu identity --cpus 1",
        "run memcpy --quiet --count 6 --iommu off --non-coherent --cpus 2",
        "run coherency --scenario forgets-sync-for-cpu --scenario shares-a-cache-line",
        "run nvme --runtime 1 --size 4M --iodepth 4 --numjobs 2 --iommu strict",
    })
    void shouldTraceTheSameRunTheSameWayInTwoJvmsWithDifferentHashing(String commandLine) throws Exception {
        Digest first = runInNewJvm(List.of(), commandLine);
        Digest second = runInNewJvm(OTHER_HASHING, commandLine);
        assertTrue(first.events() > 10, "a run that traced something: " + first.line());
        assertEquals(first.line(), second.line(), "jdma " + commandLine);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run memcpy --quiet --count 6 --iommu strict"})
    void shouldTraceADifferentSeedDifferently(String commandLine) throws Exception {
        Digest seed1 = runInNewJvm(List.of(), commandLine + " --seed 1");
        Digest seed2 = runInNewJvm(List.of(), commandLine + " --seed 2");
        assertNotEquals(seed1.line(), seed2.line(), "the digest sees what the seed changes");
    }
}
