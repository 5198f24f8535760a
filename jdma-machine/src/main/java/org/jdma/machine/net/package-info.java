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
 * <p>Invariant: everything here runs on the event kernel's thread, in event order; a frame is
 * never modified after it was handed to a link.
 */
package org.jdma.machine.net;
