package org.jdma.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.crc32.Crc32Engine;
import org.jdma.machine.dev.timer.CountdownTimer;
import org.jdma.spec.pci.RequesterId;
import org.junit.jupiter.api.Test;

/** The machine summary's PCI list for a machine with legacy devices: the LPC bridge appears, without a BAR. */
class MachineSummaryTest {

    @Test
    void shouldListTheLpcBridgeOfAMachineWithALegacyDeviceWithoutABar() {
        MachineConfig c = MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("low", 0, 64L << 20))).toBuilder()
                .device(Crc32Engine.spec("crc0", RequesterId.of(0, 7, 0)))
                .device(CountdownTimer.spec("timer0", CountdownTimer.DEFAULT_BASE, CountdownTimer.DEFAULT_IRQ))
                .build();
        StringWriter out = new StringWriter();
        try (Machine m = new Machine(c)) {
            MachineSummary.print(m, new PrintWriter(out, true));
        }
        String s = out.toString();
        assertTrue(s.contains("  0000:00:1f.0  lpc      8086:2918 class 060100  no BAR0\n"), s);
        assertTrue(s.contains("  0000:00:07.0  crc0     1b36:00c5 class 120000  BAR0 0xf0010000 (4 KiB)\n"), s);
    }
}
