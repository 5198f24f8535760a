/**
 * The classic libpcap capture file ({@code pcap-savefile(5)}; IETF draft-ietf-opsawg-pcap): the
 * 24-byte file header, the 16-byte record header, a reader and a writer.
 *
 * <p>Both sides use it: the machine's capture and replay ends of an Ethernet link, and an OS-side
 * tool that captures what a driver receives (as ixy's pcap app does). That is why it lives with the
 * datasheets and not in the machine.
 *
 * <p>Not modeled: pcapng, the modified/Kuznetzov and Navtel variants (their other magic numbers
 * are rejected), per-file time zone corrections (written as 0, read and reported).
 *
 * <p>Invariant: the layout and header classes hold no state; the reader and the writer hold only
 * the stream they were given, its file header and how far into it they are. The reader reports
 * any bad input as a {@link org.jdma.spec.pcap.PcapFormatException} naming the field and its byte
 * offset, never as another exception.
 */
package org.jdma.spec.pcap;
