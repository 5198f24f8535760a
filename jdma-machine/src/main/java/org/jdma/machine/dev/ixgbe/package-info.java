/**
 * One port of an Intel 82599 10 GbE controller: the network card whose receive and transmit
 * rings, write-backs and per-queue MSI-X vectors are the textbook case of device DMA. Datasheet:
 * {@link org.jdma.spec.ixgbe.IxgbeRegisters} and the descriptor layouts next to it.
 *
 * <p>Models: a PCI function (8086:10FB) with its registers in a 64-bit BAR0 and a 64-entry MSI-X
 * table in BAR3; software reset with a settle time, EEPROM auto-read done, the station address in
 * RAL[0]/RAH[0]; link training and LINKS; interrupt causes, masks, auto-clear, auto-mask, IVAR
 * routing and EITR throttling ({@code InterruptUnit}); the layer 2 filter (promiscuous, broadcast,
 * 16 exact addresses), EtherType queue filters, RSS (MRQC, RSSRK, RETA, the Toeplitz hash written
 * back), the frame-size limit (JUMBOEN, MAXFRS), N receive queues writing advanced descriptors with
 * frames spanning several buffers, the packet buffer, drops counted where the datasheet counts
 * them ({@code ReceiveUnit}); N transmit queues gathering frames from advanced data descriptors,
 * RS write-back, line-rate pacing by the link ({@code TransmitUnit}); the good-packet and octet
 * statistics, clear on read. Every descriptor and data byte goes through the port's
 * {@link org.jdma.machine.bus.DmaPort}; a refused request sets EICR.PCI and a counter in
 * {@link org.jdma.machine.dev.ixgbe.FaultCounters}, and the port keeps running. Plugged by one
 * line of machine configuration with {@link org.jdma.machine.dev.ixgbe.IxgbePort#KIND}; its wire
 * is a {@link org.jdma.machine.net.LinkEnd} given to
 * {@link org.jdma.machine.dev.ixgbe.IxgbePort#attach}.
 *
 * Link changes of the attached {@link org.jdma.machine.net.LinkEnd} raise EICR.LSC.
 *
 * <p>Does not model: VMDq, SR-IOV, DCB, flow control, offloads (checksums, TSO, VLAN
 * insertion and stripping, RSC), header split, legacy descriptors, multicast table, head
 * write-back, write-back batching (WTHRESH), descriptor prefetch (PTHRESH/HTHRESH), the FCS (the
 * link carries frames without it; octet counters add its 4 bytes), MDIO/I2C/SFP, the EEPROM
 * contents beyond the station address, interrupt moderation by low-latency interrupts, INTx.
 *
 * <p>Invariant: no value software writes into a register or leaves in a descriptor makes the port
 * throw or write a buffer it does not own: a receive buffer is written only between RDH and RDT,
 * and every frame either lands whole in descriptors the driver gave, or is dropped and counted.
 */
package org.jdma.machine.dev.ixgbe;
