/**
 * The NVM Express controller's datasheet, the subset an NVMe-over-PCIe controller and its driver
 * need (NVM Express Base Specification 1.4, section numbers as there; offsets agree with Linux's
 * {@code include/linux/nvme.h} and QEMU's {@code include/block/nvme.h}): the BAR0 registers and
 * doorbells ({@link org.jdma.spec.nvme.NvmeRegisters}), the 64-byte submission entry
 * ({@link org.jdma.spec.nvme.SubmissionEntryLayout}) with the opcodes and command dwords
 * ({@link org.jdma.spec.nvme.NvmeCommands}), the 16-byte completion entry
 * ({@link org.jdma.spec.nvme.CompletionEntryLayout}) and its status codes
 * ({@link org.jdma.spec.nvme.NvmeStatus}), data pointers ({@link org.jdma.spec.nvme.PrpLayout},
 * {@link org.jdma.spec.nvme.SglDescriptorLayout}), the Identify data structures
 * ({@link org.jdma.spec.nvme.IdentifyControllerLayout},
 * {@link org.jdma.spec.nvme.IdentifyNamespaceLayout},
 * {@link org.jdma.spec.nvme.ActiveNamespaceListLayout}) and the Dataset Management range
 * ({@link org.jdma.spec.nvme.DsmRangeLayout}). Everything is little-endian.
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.nvme;
