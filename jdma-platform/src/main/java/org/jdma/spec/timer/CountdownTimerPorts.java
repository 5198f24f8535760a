package org.jdma.spec.timer;

/**
 * The countdown timer: a 16-bit down-counter on the legacy bus, in the manner of one counter of
 * an Intel 8254 PIT (its two-byte count access, a count of 0 meaning 65536) without the 8254's six
 * modes. It decodes {@link #PORT_COUNT} consecutive I/O ports from a base the board gives it, and
 * drives one ISA IRQ line. Every port is one byte wide; a wider CPU access reaches it as byte
 * cycles in ascending port order.
 *
 * <pre>
 * port      name      access  bits
 * base + 0  DATA      RW      write: the reload count, low byte then high byte;
 *                             read: the current count, low byte then high byte
 * base + 1  CONTROL   WO      [0] START, [1] STOP, [2] ACK, [3] PERIODIC; reads 0xFF
 * base + 2  STATUS    RO      [0] RUNNING, [1] EXPIRED, [2] PERIODIC, [3] WRITE_HIGH_NEXT,
 *                             [4] READ_HIGH_NEXT, [5] START_ERROR; writes are ignored
 * base + 3  (none)            reads 0xFF, writes are ignored
 * </pre>
 *
 * <p>Behaviour:
 * <ul>
 *   <li><b>Count access.</b> DATA has a write byte pointer and a read byte pointer, both at the
 *       low byte after reset. A write stores the byte the write pointer names into the reload
 *       count and flips the pointer; a read returns the byte the read pointer names and flips it.
 *       Reading the low byte latches the current count, so the high byte read next belongs to the
 *       same value even while the counter runs. STATUS shows both pointers.</li>
 *   <li><b>CONTROL</b> bits act in the order STOP, ACK, START within one write.
 *       STOP halts the counter; the current count holds its value. ACK clears EXPIRED and
 *       START_ERROR. START loads the reload count into the counter and runs it (restarting it if
 *       it runs), periodic if PERIODIC is set in the same write; but a START while the write
 *       pointer expects the high byte (half a count written) is refused: START_ERROR is set and
 *       nothing else changes.</li>
 *   <li><b>Counting.</b> The counter decrements once per input clock tick; a reload count of 0
 *       counts 65536 ticks. When it reaches 0, EXPIRED is set and the device sends one edge on its
 *       IRQ line (a rising then falling edge: ISA interrupts are edge-triggered). One-shot: the
 *       counter stops at 0. Periodic: it reloads and counts again from the reload count, expiring
 *       every reload-count ticks with no drift.</li>
 *   <li><b>Reset</b> (the bus's RESET): counter stopped at 0, reload count 0, both pointers at
 *       the low byte, STATUS 0.</li>
 * </ul>
 */
public final class CountdownTimerPorts {

    private CountdownTimerPorts() { }

    /** Ports the device decodes, from its base. */
    public static final int PORT_COUNT = 4;

    public static final int DATA = 0;
    public static final int CONTROL = 1;
    public static final int STATUS = 2;
    /** The fourth port: decoded, but nothing answers in it. */
    public static final int RESERVED = 3;

    public static final int CONTROL_START = 1;
    public static final int CONTROL_STOP = 1 << 1;
    public static final int CONTROL_ACK = 1 << 2;
    public static final int CONTROL_PERIODIC = 1 << 3;

    public static final int STATUS_RUNNING = 1;
    public static final int STATUS_EXPIRED = 1 << 1;
    public static final int STATUS_PERIODIC = 1 << 2;
    public static final int STATUS_WRITE_HIGH_NEXT = 1 << 3;
    public static final int STATUS_READ_HIGH_NEXT = 1 << 4;
    public static final int STATUS_START_ERROR = 1 << 5;

    /** What a read returns where nothing drives the data lines (a write-only or absent register). */
    public static final int UNDRIVEN = 0xFF;

    /** Ticks a reload count of 0 stands for, as in the 8254. */
    public static final int ZERO_COUNT_TICKS = 1 << 16;

    /** Ticks a reload count of {@code count} (0..0xffff) runs for. */
    public static int ticks(int count) {
        int c = count & 0xFFFF;
        return c == 0 ? ZERO_COUNT_TICKS : c;
    }
}
