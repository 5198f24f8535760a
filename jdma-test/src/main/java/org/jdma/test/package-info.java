/**
 * A JUnit Jupiter extension (JUnit 5.10+ and JUnit 6) for people who write drivers against jdma's DMA API.
 *
 * <p>Models: a test world per test ({@link org.jdma.test.DmaTest}): an emulated machine, coherent
 * or not, with a copy engine; the kernel; the real DMA-mapping layer behind the dma-debug checker
 * and coherency sanitizer; the device attached with the mask asked for. A broken DMA rule (an
 * unchecked mapping, a missing sync, a leak) fails the test with the checker's report; the IOMMU
 * in any of the kernel's modes, with a DMA the IOMMU blocks failing the test unless declared; single
 * report categories allowed (with a reason) or denied; the machine's configuration as a record
 * ({@link org.jdma.test.DmaTestMachine}); driver memory through the device's DMA API. Does not
 * model: more than one device per test.
 *
 * <p>Why a module of its own: it needs JUnit's API at compile time, which the kernel must not
 * depend on; driver projects add {@code org.jdma:jdma-test} with test scope. It runs on the class
 * path (automatic module name {@code org.jdma.test}).
 *
 * <p>Invariant: every environment built for a test is closed after it, and the test fails if and
 * only if the test itself failed, the checker made a report the test does not tolerate, or the
 * IOMMU recorded a number of faults other than the test declared.
 */
package org.jdma.test;
