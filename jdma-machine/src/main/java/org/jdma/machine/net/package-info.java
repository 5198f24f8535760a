/**
 * Ethernet outside the machine: full-duplex links and what can sit at their far end (another
 * port, a traffic generator, a capture).
 *
 * <p>A frame is what a MAC hands over and pcap's Ethernet link type stores: destination address
 * through payload, without preamble, start delimiter or FCS. Timing is the link's: a frame
 * occupies the wire for its bytes plus the 4-byte FCS, the 8-byte preamble and start delimiter
 * and the 12-byte inter-frame gap (IEEE 802.3 §4.4.2), so a 60-byte frame (64 with FCS) takes
 * 84 byte times.
 *
 * <p>{@link org.jdma.machine.net.EthernetLink} is the cable: two ends, a transmitter each way that
 * serialises frames back to back at the link's rate ({@link org.jdma.machine.net.LinkParameters}:
 * 10 Gb/s, propagation delay, link-up time), delivering each when its last bit arrives, with
 * counters per direction. What can sit at an end besides a NIC port:
 * {@link org.jdma.machine.net.TrafficGenerator} (sizes, rate, count, seeded payload, sequence
 * numbers in {@link org.jdma.machine.net.GeneratorFrameLayout}),
 * {@link org.jdma.machine.net.SequenceChecker} (lost, reordered, duplicated numbers),
 * {@link org.jdma.machine.net.PcapCapture} and {@link org.jdma.machine.net.PcapReplayer} (the
 * file format is {@code org.jdma.spec.pcap}), and {@link org.jdma.machine.net.CountingSink}.
 *
 * <p>Not modeled: bit errors and FCS checking, collisions and half duplex, autonegotiation's
 * pages (training is one delay), pause frames, a transmit queue limit (a sender paces itself by
 * the time {@link org.jdma.machine.net.LinkEnd#transmit} returns).
 *
 * <p>Invariant: everything here runs on the event kernel's thread, in event order; a frame is
 * never modified after it was handed to a link; the same seed gives the same frames at the same
 * picosecond.
 */
package org.jdma.machine.net;
