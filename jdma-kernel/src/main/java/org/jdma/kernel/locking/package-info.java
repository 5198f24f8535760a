/**
 * Locks for the kernel's short critical sections (Linux {@code kernel/locking}): a spin lock that
 * costs one atomic operation to take and a plain release store to give back. Models nothing; the
 * invariant is mutual exclusion with release/acquire ordering between one holder and the next.
 */
package org.jdma.kernel.locking;
