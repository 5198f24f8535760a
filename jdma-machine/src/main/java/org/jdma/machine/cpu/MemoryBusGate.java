package org.jdma.machine.cpu;

/**
 * Another owner of the memory bus the CPUs share (the ISA DMA controllers holding it after HLDA).
 * While one is installed ({@link MachineCpus#memoryBusGate}), every CPU RAM access asks it first
 * and waits, in modeled time, until the bus is the CPU's again; nothing is installed while no
 * one else can own the bus, so an access then costs one field read.
 */
public interface MemoryBusGate {

    /**
     * Returns once the CPU may use the bus, having let the event kernel run meanwhile.
     *
     * @return the modeled time the CPU waited, ns (0 when the bus was free)
     */
    long awaitBus();
}
