/**
 * A JUnit 5 extension for people who write drivers against jdma's DMA API.
 *
 * <p>Models: a test world per test ({@link org.jdma.test.DmaTest}): an emulated machine, coherent
 * or not, with a copy engine; the kernel; the real DMA-mapping layer behind the dma-debug checker
 * and coherency sanitizer; the device attached with the mask asked for. A broken DMA rule (an
 * unchecked mapping, a missing sync, a leak) fails the test with the checker's report; the IOMMU
 * in any of the kernel's modes. Does not model: more than one device per test.
 *
 * <p>Why a module of its own: it needs JUnit's API at compile time, which the kernel must not
 * depend on; driver projects add {@code org.jdma:jdma-test} with test scope. It runs on the class
 * path (automatic module name {@code org.jdma.test}).
 *
 * <p>Invariant: every environment built for a test is closed after it, and the test fails if and
 * only if the checker reported something (or the test itself failed), unless the test asked to
 * inspect reports itself ({@code failOnReport = false}).
 */
package org.jdma.test;
