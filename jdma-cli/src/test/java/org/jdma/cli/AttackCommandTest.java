package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AttackCommandTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new String[] {Integer.toString(status), out.toString(), err.toString()};
    }

    @Test
    void shouldRunEveryModeAndExitZeroWhenEachBehaves() {
        String[] r = run("run", "attack");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("IOMMU off") && r[1].contains("IOMMU strict") && r[1].contains("IOMMU lazy")
                && r[1].contains("IOMMU pass-through") && r[1].contains("IOMMU strict+untrusted"), r[1]);
        assertTrue(r[1].contains("1 of 14 blocked"), "without an IOMMU only the device that honours Bus Master Enable is: " + r[1]);
        assertTrue(r[1].contains("16 of 17 blocked"), "strict blocks all but the sub-page read: " + r[1]);
        assertTrue(r[1].contains("17 of 17 blocked"), "strict+untrusted blocks everything: " + r[1]);
        assertTrue(r[1].contains("DMA with bus mastering off") && r[1].contains("reason none (BUS_MASTER_DISABLED)"), r[1]);
        assertTrue(r[1].contains("fault record: 0000:00:10.0 R"), r[1]);
        assertTrue(r[1].contains("stale window: 10.0 ms"), r[1]);
        assertTrue(r[1].contains("As expected"), r[1]);
    }

    @Test
    void shouldPrintJson() {
        String[] r = run("run", "attack", "--mode", "strict+untrusted", "--json");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].startsWith("[") && r[1].contains("\"mode\": \"strict+untrusted\"") && r[1].contains("\"exposedBytes\": 0"), r[1]);
    }

    @Test
    void shouldRunOneModeAndRejectAnUnknownOne() {
        String[] strict = run("run", "attack", "--mode", "strict");
        assertEquals("0", strict[0], strict[1] + strict[2]);
        assertTrue(!strict[1].contains("IOMMU off") && strict[1].contains("IOMMU strict"), strict[1]);
        String[] bad = run("run", "attack", "--mode", "sometimes");
        assertTrue(!"0".equals(bad[0]), bad[1] + bad[2]);
        assertTrue((bad[1] + bad[2]).contains("sometimes"), bad[1] + bad[2]);
    }
}
