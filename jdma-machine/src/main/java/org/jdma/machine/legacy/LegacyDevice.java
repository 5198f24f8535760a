package org.jdma.machine.legacy;

/**
 * A device on the legacy (ISA/LPC) bus: it decodes I/O ports, may drive one interrupt line and may
 * transfer on DMA channels. It has no requester id and no configuration space; firmware and OS
 * know it by its fixed resources.
 *
 * <p>Life cycle: the bus reads {@link #resources()}, grants all of them (or refuses the device,
 * naming the conflict), then calls {@link #attach} once, before any I/O reaches the device.
 *
 * <p>A device a machine configuration places on the legacy bus is made by its kind like every
 * other device, so it implements {@link org.jdma.machine.dev.Device} too and asks for exactly the
 * resources its placement names ({@link org.jdma.machine.dev.DeviceContext.Legacy#resources()});
 * the machine refuses it otherwise. (This package does not depend on {@code dev}: {@code dev}'s
 * placements are made of this package's {@link LegacyResources}.)
 *
 * <p>I/O: the LPC bridge carries only byte-wide I/O cycles and splits a 16- or 32-bit CPU access
 * into bytes in ascending port order (Intel ICH4 datasheet §5.3.1.1), so the device sees one byte
 * at a time, at absolute port numbers inside its ranges. Neither method may throw for any port
 * or value; a register the device does not implement reads 0xFF and ignores writes, like an
 * undriven ISA bus.
 */
public interface LegacyDevice {

    String name();

    /** The ports, interrupt line and DMA channels the device needs. Asked once, when plugged. */
    LegacyResources resources();

    /** The bus has granted the resources: here is what the device uses them through. */
    void attach(LegacyDeviceContext context);

    /** A one-byte I/O read of {@code port}; returns 0..255. */
    int ioRead(int port);

    /** A one-byte I/O write of {@code value} (0..255) to {@code port}. */
    void ioWrite(int port, int value);

    /** Returns the device to its power-on state (the bus's RESET line). */
    void reset();
}
