package org.jdma.machine.dev;

import org.jdma.machine.bus.DmaPort;
import org.jdma.machine.memory.MmioSpace;
import org.jdma.machine.time.EventKernel;
import org.jdma.spec.pci.RequesterId;

/**
 * What the board hands a device when it makes it ({@link DeviceKind#create}): everything the
 * device may touch of the machine, and nothing more.
 *
 * @param name      the instance name from its {@link DeviceSpec}
 * @param requester the requester id its DMA carries (its PCI slot)
 * @param kernel    the event kernel: virtual time, scheduling, the seeded random source, the trace
 * @param port      its only path to memory and to the interrupt controller
 * @param mmio      where its register windows (BARs) may decode
 */
public record DeviceContext(String name, RequesterId requester, EventKernel kernel, DmaPort port, MmioSpace mmio) {
}
