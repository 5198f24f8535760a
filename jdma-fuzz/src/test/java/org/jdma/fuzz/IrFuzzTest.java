package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;
import static org.jdma.fuzz.Harness.mmioWrite;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.bus.DmaResult;
import org.jdma.machine.iommu.vtd.VtdUnit;
import org.jdma.platform.Cpu;
import org.jdma.spec.msi.MsiMessageLayout;
import org.jdma.spec.vtd.VtdInterruptRequestLayout;
import org.jdma.spec.vtd.VtdIrteLayout;
import org.jdma.spec.vtd.VtdRegisterLayout;

/**
 * "Nothing a driver or a device does to interrupt remapping escapes", for the VT-d unit (§5.1,
 * §9.10): the unit starts with a {@value #ENTRIES}-entry table latched and remapping on, and the
 * fuzz bytes then
 * <ul>
 *   <li>write interrupt-remapping table entries (any bits, or present entries naming one of the
 *       machine's devices as source), at any index, the table's end and beyond included;</li>
 *   <li>write the unit's registers (GCMD with SIRTP, IRE, CFI in any mix, IRTA, FSTS, FECTL, IECTL)
 *       with any width;</li>
 *   <li>send MSIs from the machine's devices: remappable format with any handle, sub-handle and
 *       data, compatibility format, or any address at all.</li>
 * </ul>
 * No exception may escape; an MSI the unit blocks carries a VT-d fault reason, and that fault was
 * recorded, dropped on overflow or suppressed by FPD, never lost. The machine is the VT-d target's
 * ({@link VtdUnitFuzzTest#config()}), built once and reset per input ({@link ReusedMachine}).
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing a case of the switch.
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/IrFuzzTestInputs/<method>/}.
 */
class IrFuzzTest {

    /** Where the table sits in RAM; IRTA.S = 7 gives 256 entries of 16 bytes: one page. */
    static final long TABLE = 0x10000;
    private static final int SIZE_FIELD = 7;
    static final int ENTRIES = 256;
    private static final int MAX_OPS = 64;
    private static final long MSI_SETTLE_NS = 10_000;
    private static final int[] WIDTHS = {1, 2, 4, 8};
    private static final int[] REGISTERS = {VtdRegisterLayout.GCMD, VtdRegisterLayout.IRTA, VtdRegisterLayout.FSTS,
            VtdRegisterLayout.FECTL, VtdRegisterLayout.IECTL};
    private static final int[] COMMANDS = {VtdRegisterLayout.GCMD_SIRTP, VtdRegisterLayout.GCMD_IRE,
            VtdRegisterLayout.GCMD_IRE | VtdRegisterLayout.GCMD_CFI, VtdRegisterLayout.GCMD_CFI, 0};

    private static final ReusedMachine MACHINE = new ReusedMachine(VtdUnitFuzzTest.config());

    @FuzzTest(maxDuration = "10m")
    void blockedInterruptsAreFaultRecordedWithAReason(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        VtdUnit unit = m.remappingUnits().getFirst();
        long base = unit.registerBase();
        List<DmaPort> ports = m.dmaPorts();
        ports.forEach(p -> p.busMasterEnabled(true));
        cpu.write64(base + VtdRegisterLayout.IRTA, TABLE | SIZE_FIELD);
        cpu.write32(base + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_SIRTP);
        cpu.write32(base + VtdRegisterLayout.GCMD, VtdRegisterLayout.GCMD_IRE);
        long faultsBefore = faultsAccounted(unit); // counters go on over resets: the outcome is the change
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(5)) {
                case 0 -> { // an entry naming one of the machine's devices, or any bits
                    long at = TABLE + (long) (data.u16() % (ENTRIES + 16)) * VtdIrteLayout.SIZE;
                    boolean structured = data.choice(2) == 0;
                    DmaPort source = ports.get(data.choice(ports.size()));
                    long lo = structured ? VtdIrteLayout.lo(data.u8(), data.u8(), false) : data.u64();
                    long hi = structured ? VtdIrteLayout.hi(source.requester().sourceId(), data.choice(4), data.choice(4)) : data.u64();
                    cpu.write64(at + VtdIrteLayout.HI, hi);
                    cpu.write64(at + VtdIrteLayout.LO, lo);
                }
                case 1 -> cpu.write32(base + VtdRegisterLayout.GCMD, COMMANDS[data.choice(COMMANDS.length)]);
                case 2 -> mmioWrite(cpu, base + REGISTERS[data.choice(REGISTERS.length)], WIDTHS[data.choice(WIDTHS.length)], data.u64());
                case 3 -> out.add("msi", msi(data, ports.get(data.choice(ports.size())), unit));
                default -> m.clock().runFor(data.u16() * 16L);
            }
        }
        out.add("faults", faultsAccounted(unit) - faultsBefore);
        out.add("pending fault records", unit.pendingFaultRecords());
    }

    private static DmaResult msi(FuzzBytes data, DmaPort port, VtdUnit unit) {
        long address = switch (data.choice(3)) {
            case 0 -> VtdInterruptRequestLayout.address(data.u16() & 0x7FFF, data.choice(2) == 0);
            case 1 -> MsiMessageLayout.address(data.u8());
            default -> data.choice(2) == 0 ? MsiMessageLayout.INTERRUPT_RANGE_BASE | data.u64() & 0xF_FFFFL : data.u64();
        };
        int value = data.choice(2) == 0 ? data.u8() : (int) data.u64();
        long accounted = faultsAccounted(unit);
        DmaResult r = port.signalMsi(address, value);
        if (!r.isOk() && r.reason().translation()) {
            check(!r.detail().isNone(), () -> "MSI " + Long.toHexString(address) + "/" + Integer.toHexString(value)
                    + " blocked without a VT-d reason: " + r);
            check(faultsAccounted(unit) > accounted, () -> "MSI fault " + r + " was neither recorded, dropped nor suppressed");
        }
        return r;
    }

    private static long faultsAccounted(VtdUnit unit) {
        return unit.faultsRecorded() + unit.faultsDropped() + unit.faultsSuppressed();
    }
}
