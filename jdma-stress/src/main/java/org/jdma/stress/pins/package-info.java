/**
 * jcstress tests of {@code DmaPins}, the record of live mappings and the holds ring drivers put on
 * them: a hold racing the unmap of the mapping it names must not both succeed (the device would
 * reach memory nobody maps) nor both fail. DmaPins guards its state with one spin lock
 * ({@code org.jdma.kernel.locking.SpinLock}); this is the race that lock exists for.
 */
package org.jdma.stress.pins;
