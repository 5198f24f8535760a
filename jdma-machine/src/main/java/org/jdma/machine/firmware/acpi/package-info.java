/**
 * ACPI tables the machine's firmware publishes, and their byte layouts.
 *
 * <p>The layout classes here are the datasheet both sides read: the firmware's table builder
 * writes with them and the kernel's parser reads with them. Every layout cites its section of the
 * Intel VT-d Architecture Specification (rev. 4.1, chapter 8) or the ACPI specification (6.5).
 * All multi-byte fields are little-endian.
 */
package org.jdma.machine.firmware.acpi;
