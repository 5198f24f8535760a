package org.jdma.machine.dev;

import org.jdma.machine.bus.DmaPort;
import org.jdma.spec.pci.RequesterId;
import org.jdma.machine.time.EventKernel;

/** What the machine hands a device when it is plugged in. */
public record DeviceContext(String name, RequesterId requester, EventKernel kernel, DmaPort port, long barBase, long barSize) {
}
