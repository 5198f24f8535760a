package org.jdma.machine.dev.timer;

import static org.jdma.machine.mmio.RegisterAccess.RO;
import static org.jdma.machine.mmio.RegisterAccess.RW;
import static org.jdma.machine.mmio.RegisterAccess.WO;

import java.util.List;
import org.jdma.machine.dev.Device;
import org.jdma.machine.dev.DeviceContext;
import org.jdma.machine.dev.DeviceKind;
import org.jdma.machine.dev.DeviceSpec;
import org.jdma.machine.legacy.LegacyDevice;
import org.jdma.machine.legacy.LegacyDeviceContext;
import org.jdma.machine.legacy.LegacyResources;
import org.jdma.machine.legacy.PortRange;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.timer.CountdownTimerPorts;

/**
 * The countdown timer (see the package description and {@link CountdownTimerPorts}): four I/O
 * ports and an ISA IRQ line on the legacy bus, counting on the machine's event kernel. The
 * counter is not ticked event by event: a running counter remembers when its period started, its
 * current count is computed from the clock when software reads it, and one event is scheduled at
 * the expiry. STOP, START and reset cancel that event (a generation number makes it do nothing).
 *
 * <p>Thread use: the thread that drives the machine (port I/O and events alike).
 */
public final class CountdownTimer implements Device, LegacyDevice {

    /** The kind: {@code builder.device("timer0", CountdownTimer.KIND, CountdownTimerConfig.DEFAULT, CountdownTimer.resources(0x300, 5))}. */
    public static final DeviceKind<CountdownTimerConfig> KIND = DeviceKind.legacy("timer", CountdownTimer::new);

    /** A base in the I/O range the PC/AT left to prototype cards (0x300-0x31F), clear of every standard device. */
    public static final int DEFAULT_BASE = 0x300;
    /** An ISA IRQ no standard PC/AT device takes (IRQ 5: the second parallel port's, rarely fitted). */
    public static final int DEFAULT_IRQ = 5;

    /** The resources of a timer at ports {@code base}..{@code base + 3} driving ISA IRQ {@code irq}. */
    public static LegacyResources resources(int base, int irq) {
        return LegacyResources.of(PortRange.of(base, CountdownTimerPorts.PORT_COUNT)).withIrq(irq);
    }

    /** A timer called {@code name} at {@code base} on IRQ {@code irq}, ticking at the PC's timer clock. */
    public static DeviceSpec<CountdownTimerConfig> spec(String name, int base, int irq) {
        return DeviceSpec.legacy(name, KIND, CountdownTimerConfig.DEFAULT, resources(base, irq));
    }

    private static final List<TimerPort> PORTS = List.of(
            new TimerPort("DATA", CountdownTimerPorts.DATA, RW),
            new TimerPort("CONTROL", CountdownTimerPorts.CONTROL, WO),
            new TimerPort("STATUS", CountdownTimerPorts.STATUS, RO));

    private final String name;
    private final LegacyResources resources;
    private final int base;
    private final long tickNs;
    private final EventKernel kernel;
    private final String expiryLabel;
    private LegacyDeviceContext bus;

    private int reload;
    private boolean writeHighNext;
    private boolean readHighNext;
    private int latched;
    private boolean running;
    private boolean periodic;
    private boolean expired;
    private boolean startError;
    /** Running: when the current period began and how many ticks it lasts. */
    private long periodStartNs;
    private int periodTicks;
    /** Stopped: the count the counter holds. */
    private int heldCount;
    /** Bumped by START, STOP and reset: a scheduled expiry of an older generation does nothing. */
    private long generation;
    private long expiries;

    /**
     * @throws IllegalArgumentException when the placement is not one range of four ports and an IRQ
     *                                  line without DMA channels (a configuration error, named)
     */
    public CountdownTimer(CountdownTimerConfig config, DeviceContext.Legacy ctx) {
        LegacyResources r = ctx.resources();
        if (r.ports().size() != 1 || r.ports().getFirst().count() != CountdownTimerPorts.PORT_COUNT
                || r.irqLine().isEmpty() || !r.dmaChannels().isEmpty()) {
            throw new IllegalArgumentException(String.format("%s: a countdown timer decodes one range of %d ports and drives one "
                    + "IRQ line, with no DMA channel; its placement gives %s", ctx.name(), CountdownTimerPorts.PORT_COUNT, r));
        }
        this.name = ctx.name();
        this.resources = r;
        this.base = r.ports().getFirst().first();
        this.tickNs = config.tickNs();
        this.kernel = ctx.kernel();
        this.expiryLabel = name + " expiry";
    }

    @Override public String name() { return name; }
    @Override public LegacyResources resources() { return resources; }
    @Override public void attach(LegacyDeviceContext context) { this.bus = context; }

    /** The port table (name, offset, access), for reports and datasheet checks. */
    public List<TimerPort> portTable() { return PORTS; }

    /** Expiries since the machine was built (a reset does not clear the count). */
    public long expiries() { return expiries; }

    public boolean running() { return running; }

    // ---------------------------------------------------------------- port I/O

    @Override
    public int ioRead(int port) {
        return switch (port - base) {
            case CountdownTimerPorts.DATA -> readData();
            case CountdownTimerPorts.STATUS -> status();
            default -> CountdownTimerPorts.UNDRIVEN;
        };
    }

    @Override
    public void ioWrite(int port, int value) {
        switch (port - base) {
            case CountdownTimerPorts.DATA -> writeData(value & 0xFF);
            case CountdownTimerPorts.CONTROL -> control(value);
            default -> { }
        }
    }

    private int readData() {
        readHighNext = !readHighNext;
        if (readHighNext) {
            latched = currentCount();
            return latched & 0xFF;
        }
        return latched >>> 8;
    }

    private void writeData(int value) {
        reload = writeHighNext ? (reload & 0xFF) | value << 8 : (reload & 0xFF00) | value;
        writeHighNext = !writeHighNext;
    }

    private int status() {
        return (running ? CountdownTimerPorts.STATUS_RUNNING : 0)
                | (expired ? CountdownTimerPorts.STATUS_EXPIRED : 0)
                | (periodic ? CountdownTimerPorts.STATUS_PERIODIC : 0)
                | (writeHighNext ? CountdownTimerPorts.STATUS_WRITE_HIGH_NEXT : 0)
                | (readHighNext ? CountdownTimerPorts.STATUS_READ_HIGH_NEXT : 0)
                | (startError ? CountdownTimerPorts.STATUS_START_ERROR : 0);
    }

    /** STOP, then ACK, then START, as the datasheet orders them. */
    private void control(int value) {
        if ((value & CountdownTimerPorts.CONTROL_STOP) != 0 && running) {
            heldCount = currentCount();
            running = false;
            generation++;
        }
        if ((value & CountdownTimerPorts.CONTROL_ACK) != 0) {
            expired = false;
            startError = false;
        }
        if ((value & CountdownTimerPorts.CONTROL_START) != 0) {
            start((value & CountdownTimerPorts.CONTROL_PERIODIC) != 0);
        }
    }

    // ---------------------------------------------------------------- counting

    private void start(boolean periodicMode) {
        if (writeHighNext) {
            startError = true; // half a count: the driver lost track of the byte pointer
            return;
        }
        generation++;
        running = true;
        periodic = periodicMode;
        beginPeriod(kernel.now());
    }

    private void beginPeriod(long startNs) {
        periodStartNs = startNs;
        periodTicks = CountdownTimerPorts.ticks(reload);
        long op = generation;
        kernel.scheduleAt(startNs + periodTicks * tickNs, expiryLabel, () -> {
            if (op == generation) {
                expire();
            }
        });
    }

    /** The count reaches 0: EXPIRED, reload or stop, then one edge on the IRQ line. */
    private void expire() {
        expiries++;
        expired = true;
        if (periodic) {
            beginPeriod(periodStartNs + periodTicks * tickNs);
        } else {
            running = false;
            heldCount = 0;
        }
        bus.pulseIrq();
    }

    /** The counter's value now, 16 bits (a full 65536-tick period reads 0 in its first tick, as the 8254's). */
    private int currentCount() {
        if (!running) {
            return heldCount;
        }
        long elapsed = (kernel.now() - periodStartNs) / tickNs;
        return (int) (periodTicks - elapsed) & 0xFFFF;
    }

    /** The bus's RESET: counter stopped at 0, reload 0, pointers at the low byte, STATUS 0. */
    @Override
    public void reset() {
        generation++;
        reload = 0;
        writeHighNext = false;
        readHighNext = false;
        latched = 0;
        running = false;
        periodic = false;
        expired = false;
        startError = false;
        heldCount = 0;
    }
}
