package org.jdma.bench.ring;

/**
 * What the peer implementations pass from producer to consumer: the fields of a copy descriptor
 * that the producer fills in and the consumer reads, and the status the consumer writes back.
 * Preallocated (one per ring slot) so neither side allocates.
 */
final class Request {
    static final int OPCODE_NOOP = 0;

    int opcode;
    int flags;
    long source;
    long destination;
    int size;
    long completionAddress;
    /** Written by the consumer; read by the producer after the queue's acquire. */
    byte status;

    void fill(int opcode, int flags, long source, long destination, int size, long completionAddress) {
        this.opcode = opcode;
        this.flags = flags;
        this.source = source;
        this.destination = destination;
        this.size = size;
        this.completionAddress = completionAddress;
        this.status = 0;
    }

    /** The consumer's work: decode, validate, complete. */
    void execute() {
        status = opcode == OPCODE_NOOP && size == 0 ? RoundTrip.STATUS_SUCCESS : RoundTrip.STATUS_INVALID;
    }
}
