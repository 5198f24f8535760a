package org.jdma.kernel.mm;

/**
 * A hold on a live DMA mapping: something the device is working on (a descriptor in flight)
 * names bus addresses inside it, so the mapping may not go away until the hold is released. What
 * {@link DmaPins#unpin} returns when it refuses.
 *
 * @param mapping    the mapping that is held
 * @param user       who holds it (the DMA layer's hold user: a ring), to describe the use
 * @param tag        the user's own number for the use (a ring: the descriptor's sequence)
 * @param field      which of the use's addresses lies in the mapping ("source", "completion record")
 * @param busAddress first bus address the use names
 * @param length     bytes it names
 */
public record MappingHold(LiveMapping mapping, Object user, long tag, String field, long busAddress, long length) {
}
