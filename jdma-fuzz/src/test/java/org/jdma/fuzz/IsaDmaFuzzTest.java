package org.jdma.fuzz;

import static org.jdma.fuzz.Harness.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import org.jdma.machine.Machine;
import org.jdma.machine.MachineConfig;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.dev.isablock.IsaBlockConfig;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.platform.Cpu;
import org.jdma.spec.i8237.I8237Layout;
import org.jdma.spec.isablock.IsaBlockPorts;

/**
 * "Nothing software writes crashes the machine", for the 8237A pair: the fuzz bytes write any
 * value to any port of the two controllers and the page registers (mode, mask, request, address,
 * count, master clear, command: memory-to-memory, cascade, autoinitialize, decrement), drive an ISA
 * block device on channel {@value #CHANNEL} whose medium raises DREQ, and let virtual time run. No
 * exception may escape the machine, and the device's STATUS and ERROR stay within what
 * {@link IsaBlockPorts} documents. The machine is built once and reset per input ({@link ReusedMachine});
 * the medium, which a reset keeps as a disk would, is cleared per input too.
 *
 * <p>Input: {@link FuzzBytes} fields; each operation is a byte choosing a case of the switch.
 * Regression inputs: {@code src/test/resources/org/jdma/fuzz/IsaDmaFuzzTestInputs/<method>/}.
 */
class IsaDmaFuzzTest {

    static final long RAM_SIZE = 256L << 10;
    static final int BASE = 0x3F0;
    static final int CHANNEL = 2;
    private static final int MAX_OPS = 64;
    /** Virtual time an operation may let pass: a few ISA byte cycles up to a few hundred. */
    private static final long MAX_STEP_NS = 1L << 18;
    /** A small, fast medium: transfers end within the time an input lets pass. */
    static final IsaBlockConfig MEDIUM = new IsaBlockConfig(16, 20);
    private static final int STATUS_BITS = IsaBlockPorts.STATUS_BUSY | IsaBlockPorts.STATUS_DONE | IsaBlockPorts.STATUS_ERROR;

    static MachineConfig config() {
        return MachineConfig.defaults().withRam(List.of(new MachineConfig.Ram("ram", 0, RAM_SIZE)))
                .withDevice(DeviceSpec.legacy("fd0", IsaBlockDevice.KIND, MEDIUM, IsaBlockDevice.resources(BASE, 6, CHANNEL)));
    }

    private static final ReusedMachine MACHINE = new ReusedMachine(config());

    @FuzzTest(maxDuration = "10m")
    void portWritesAndDreqNeverCrashTheControllers(byte[] input) {
        run(MACHINE.fresh(), input, Outcome.IGNORED);
    }

    /** Runs one input on {@code m} (new or reset), telling {@code out} what it observed. */
    static void run(Machine m, byte[] input, Outcome out) {
        FuzzBytes data = new FuzzBytes(input);
        Cpu cpu = m.cpu();
        IsaBlockDevice device = m.devices(IsaBlockDevice.class).getFirst();
        Arrays.fill(device.medium(), (byte) 0);
        powerOnValues(cpu);
        for (int op = 0; op < MAX_OPS && !data.exhausted(); op++) {
            switch (data.choice(6)) {
                case 0 -> cpu.out8(I8237Layout.FIRST_BASE + data.choice(I8237Layout.REGISTERS), data.u8());
                case 1 -> cpu.out8(I8237Layout.SECOND_BASE + data.choice(I8237Layout.SECOND_PORTS), data.u8());
                case 2 -> cpu.out8(I8237Layout.PAGE_BASE + data.choice(I8237Layout.PAGE_PORTS), data.u8());
                case 3 -> out.add("in", cpu.in8(controllerPort(data)));
                case 4 -> { // a transfer request to the device: sector, count, READ or WRITE (or anything)
                    cpu.out8(BASE + IsaBlockPorts.SECTOR_LO, data.u8());
                    cpu.out8(BASE + IsaBlockPorts.SECTOR_HI, data.choice(2));
                    cpu.out8(BASE + IsaBlockPorts.COUNT, data.u8());
                    cpu.out8(BASE + IsaBlockPorts.COMMAND, data.choice(5));
                }
                default -> m.clock().runFor(data.u16() % MAX_STEP_NS * 4);
            }
            checkDevice(cpu, out);
        }
        m.clock().runFor(MAX_STEP_NS);
        checkDevice(cpu, out);
        for (int ch = 0; ch < 2 * I8237Layout.CHANNELS_PER_CONTROLLER; ch++) {
            out.add("channel " + ch, m.isaDma().orElseThrow().currentAddress(ch) + "/" + m.isaDma().orElseThrow().currentCount(ch));
        }
    }

    /**
     * The values a new machine's controllers hold in the registers RESET leaves alone (address,
     * count, mode, page: the 8237A and 74LS612 keep them), written through the ports as firmware
     * would, so that an input starts from the same state on a reset machine as on a new one.
     */
    private static void powerOnValues(Cpu cpu) {
        for (int c = 0; c < 2; c++) {
            int base = c == 0 ? I8237Layout.FIRST_BASE : I8237Layout.SECOND_BASE;
            int stride = c == 0 ? 1 : 2;
            for (int ch = 0; ch < I8237Layout.CHANNELS_PER_CONTROLLER; ch++) {
                cpu.out8(base + stride * I8237Layout.REG_CLEAR_FLIP_FLOP, 0);
                for (int i = 0; i < 4; i++) { // address low, high; count low, high
                    cpu.out8(base + stride * (2 * ch + i / 2), 0);
                }
                cpu.out8(base + stride * I8237Layout.REG_MODE, ch);
            }
            cpu.out8(base + stride * I8237Layout.REG_MASTER_CLEAR_TEMPORARY, 0);
        }
        for (int p = 0; p < I8237Layout.PAGE_PORTS; p++) {
            cpu.out8(I8237Layout.PAGE_BASE + p, 0);
        }
    }

    private static int controllerPort(FuzzBytes data) {
        return switch (data.choice(3)) {
            case 0 -> I8237Layout.FIRST_BASE + data.choice(I8237Layout.REGISTERS);
            case 1 -> I8237Layout.SECOND_BASE + data.choice(I8237Layout.SECOND_PORTS);
            default -> I8237Layout.PAGE_BASE + data.choice(I8237Layout.PAGE_PORTS);
        };
    }

    /** The device's registers hold only documented values, whatever the controllers did to it. */
    private static void checkDevice(Cpu cpu, Outcome out) {
        int status = cpu.in8(BASE + IsaBlockPorts.STATUS);
        int error = cpu.in8(BASE + IsaBlockPorts.ERROR);
        check((status & ~STATUS_BITS) == 0, () -> "status " + Integer.toHexString(status) + " has undocumented bits");
        check(error >= IsaBlockPorts.ERR_NONE && error <= IsaBlockPorts.ERR_BAD_COMMAND, () -> "undocumented error " + error);
        out.add("device", status + "/" + error);
    }
}
