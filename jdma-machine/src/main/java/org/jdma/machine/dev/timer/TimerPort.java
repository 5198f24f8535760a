package org.jdma.machine.dev.timer;

import org.jdma.machine.mmio.RegisterAccess;

/**
 * One row of the countdown timer's port table, as its datasheet lists it.
 *
 * @param name   the datasheet name
 * @param offset port offset from the device's base
 * @param access how software may access it (write-only ports read {@code 0xFF}: nothing drives the bus)
 */
public record TimerPort(String name, int offset, RegisterAccess access) {
}
