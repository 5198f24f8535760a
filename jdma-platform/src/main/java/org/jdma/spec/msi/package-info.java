/**
 * The x86 MSI message format: the interrupt address range 0xFEEx_xxxx and the address and data
 * fields of a message (Intel SDM Vol. 3A §11.11).
 *
 * <p>Invariant: no class here holds state.
 */
package org.jdma.spec.msi;
