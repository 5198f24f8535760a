/**
 * The VT-d datasheet: register offsets and fields, in-memory entry formats, invalidation
 * descriptors, fault reasons, and the capability configuration of a remapping unit, as the Intel
 * "Virtualization Technology for Directed I/O Architecture Specification" (rev 4.x) defines them.
 * Both the machine's remapping hardware ({@code org.jdma.machine.iommu.vtd}) and the kernel's VT-d driver use
 * these classes, so the two agree only on bits, as hardware and OS do.
 *
 * <p>Modeled: legacy (non-scalable) mode: root and context tables, second-level paging (3 and 4
 * levels, 2 MiB and 1 GiB superpages), register and queued invalidation, primary fault logging,
 * interrupt remapping in xAPIC mode (IRTA, remapped-format IRTEs, both request formats, IEC
 * invalidation, faults 0x20-0x27). Not modeled: scalable mode (PASID tables, first-level paging),
 * posted interrupts and x2APIC (EIM), device
 * IOTLBs (ATS), advanced fault logging, protected memory regions, page requests. Their fields are
 * named where a reader needs them (CAP/ECAP bits report them absent).
 *
 * <p>Invariant: no class here holds state; each is a set of named constants and pure functions.
 */
package org.jdma.spec.vtd;
