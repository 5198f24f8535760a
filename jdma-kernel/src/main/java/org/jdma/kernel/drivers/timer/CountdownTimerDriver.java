package org.jdma.kernel.drivers.timer;

import org.jdma.kernel.driver.DeviceMatch;
import org.jdma.kernel.driver.Driver;
import org.jdma.kernel.driver.DriverContext;
import org.jdma.kernel.driver.DriverInstance;
import org.jdma.kernel.driver.IoPorts;
import org.jdma.kernel.driver.IrqLine;
import org.jdma.kernel.driver.LegacyResources;
import org.jdma.kernel.driver.PortRange;
import org.jdma.kernel.driver.ProbeException;
import org.jdma.platform.irq.LineTrigger;
import org.jdma.spec.timer.CountdownTimerPorts;

/**
 * Driver for the countdown timer (datasheet {@link CountdownTimerPorts}): the example legacy
 * driver of {@code docs/ADDING-A-DEVICE.md}. An ISA device cannot be enumerated, so the driver's
 * match names where it is (four ports and an IRQ line, {@link #driver(int, int)}); the kernel
 * claims them and the probe checks that a timer answers there:
 * <ol>
 *   <li>STATUS must not read {@value CountdownTimerPorts#UNDRIVEN} (nothing drives the bus) and
 *       must have no bit the datasheet does not define;</li>
 *   <li>the counter is stopped and acknowledged, and the DATA byte pointers put back at the low
 *       byte if a previous owner left them half way;</li>
 *   <li>the IRQ line is routed edge-triggered (ISA interrupts are edges) to a vector whose handler
 *       counts the expiry and acknowledges it (CONTROL.ACK clears STATUS.EXPIRED).</li>
 * </ol>
 * The timer then counts down from a 16-bit reload count at its input clock, once or
 * periodically ({@link #start}); a count of 65536 is written as 0, as on the 8254.
 *
 * <p>Thread use: the thread that drives the machine (the handler runs there too).
 */
public final class CountdownTimerDriver implements DriverInstance {

    /** Where a timer sits unless told otherwise: the PC/AT's prototype-card range, 0x300. */
    public static final int DEFAULT_BASE = 0x300;
    /** ISA IRQ 5, which no standard PC/AT device needs. */
    public static final int DEFAULT_IRQ = 5;
    /** The longest count: 65536 ticks, written as 0. */
    public static final int MAX_COUNT = CountdownTimerPorts.ZERO_COUNT_TICKS;
    /** Every STATUS bit the datasheet defines; a timer reads 0 in the others. */
    private static final int STATUS_DEFINED = CountdownTimerPorts.STATUS_RUNNING | CountdownTimerPorts.STATUS_EXPIRED
            | CountdownTimerPorts.STATUS_PERIODIC | CountdownTimerPorts.STATUS_WRITE_HIGH_NEXT
            | CountdownTimerPorts.STATUS_READ_HIGH_NEXT | CountdownTimerPorts.STATUS_START_ERROR;

    /** The registration for a timer at {@link #DEFAULT_BASE} on IRQ {@link #DEFAULT_IRQ}. */
    public static Driver<CountdownTimerDriver> driver() {
        return driver(DEFAULT_BASE, DEFAULT_IRQ);
    }

    /** The registration for a timer whose ports start at {@code base}, on ISA IRQ {@code irq}: named "timer". */
    public static Driver<CountdownTimerDriver> driver(int base, int irq) {
        LegacyResources at = LegacyResources.of(PortRange.of(base, CountdownTimerPorts.PORT_COUNT)).withIrq(irq);
        return Driver.of("timer", DeviceMatch.legacy(at), CountdownTimerDriver::new);
    }

    private final String name;
    private final IoPorts ports;
    private final IrqLine irq;
    private long expiries;
    private boolean removed;

    private CountdownTimerDriver(DriverContext context) {
        this.name = context.name();
        this.ports = context.ports(0);
        int status = ports.in8(CountdownTimerPorts.STATUS);
        if (status == CountdownTimerPorts.UNDRIVEN || (status & ~STATUS_DEFINED) != 0) {
            throw new ProbeException(String.format("%s: no countdown timer answers at %s (STATUS reads %#04x)",
                    name, ports.range(), status));
        }
        quiesce();
        this.irq = context.requestIrq(LineTrigger.EDGE, vector -> expired());
    }

    /** The interrupt handler: count, then acknowledge so STATUS.EXPIRED is clear for the next one. */
    private void expired() {
        expiries++;
        ports.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_ACK);
    }

    /**
     * Loads {@code ticks} (1..{@value #MAX_COUNT}) as the reload count, low byte then high byte,
     * and starts counting: one expiry after {@code ticks} ticks, or one every {@code ticks} ticks
     * when {@code periodic}.
     *
     * @throws IllegalArgumentException when ticks is outside 1..65536
     * @throws IllegalStateException when the timer refuses the START (STATUS.START_ERROR)
     */
    public void start(int ticks, boolean periodic) {
        checkBound();
        if (ticks < 1 || ticks > MAX_COUNT) {
            throw new IllegalArgumentException(name + ": a count of " + ticks + " ticks is outside 1.." + MAX_COUNT);
        }
        int count = ticks & 0xFFFF; // 65536 is written as 0
        ports.out8(CountdownTimerPorts.DATA, count & 0xFF);
        ports.out8(CountdownTimerPorts.DATA, count >>> 8);
        ports.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_START | (periodic ? CountdownTimerPorts.CONTROL_PERIODIC : 0));
        int status = ports.in8(CountdownTimerPorts.STATUS);
        if ((status & CountdownTimerPorts.STATUS_START_ERROR) != 0) {
            throw new IllegalStateException(String.format("%s: the timer refused START (STATUS %#04x)", name, status));
        }
    }

    /** Stops the counter; it holds its current count. */
    public void stop() {
        checkBound();
        ports.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_STOP);
    }

    /** The current count: the low byte latches it, so the high byte read next belongs to the same value. */
    public int count() {
        checkBound();
        int low = ports.in8(CountdownTimerPorts.DATA);
        return low | ports.in8(CountdownTimerPorts.DATA) << 8;
    }

    public boolean running() {
        checkBound();
        return (ports.in8(CountdownTimerPorts.STATUS) & CountdownTimerPorts.STATUS_RUNNING) != 0;
    }

    /** Expiries the handler counted. */
    public long expiries() {
        return expiries;
    }

    /** The routed IRQ line: its number, vector and trigger mode. */
    public IrqLine irq() {
        return irq;
    }

    public String name() {
        return name;
    }

    /** Stops the counter; the kernel then masks the line and frees its vector. */
    @Override
    public void remove() {
        if (!removed) {
            removed = true;
            ports.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_STOP | CountdownTimerPorts.CONTROL_ACK);
        }
    }

    /** Stops and acknowledges the counter and realigns the byte pointers; the expiry count stays. */
    @Override
    public void reset() {
        checkBound();
        quiesce();
    }

    /** STOP and ACK; a half-written count gets its high byte, a half-read one its second read. */
    private void quiesce() {
        ports.out8(CountdownTimerPorts.CONTROL, CountdownTimerPorts.CONTROL_STOP | CountdownTimerPorts.CONTROL_ACK);
        int status = ports.in8(CountdownTimerPorts.STATUS);
        if ((status & CountdownTimerPorts.STATUS_WRITE_HIGH_NEXT) != 0) {
            ports.out8(CountdownTimerPorts.DATA, 0);
        }
        if ((status & CountdownTimerPorts.STATUS_READ_HIGH_NEXT) != 0) {
            ports.in8(CountdownTimerPorts.DATA);
        }
    }

    private void checkBound() {
        if (removed) {
            throw new IllegalStateException(name + ": the driver was removed");
        }
    }
}
