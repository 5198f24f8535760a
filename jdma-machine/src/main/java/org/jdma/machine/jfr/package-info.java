/**
 * JDK Flight Recorder events of the emulated machine, named {@code org.jdma.*} in the {@code jdma}
 * category: an IOMMU fault, an IOTLB miss (the page walk it caused) and an IOTLB invalidation, a
 * copy-engine descriptor completion, and an interrupt delivered to a CPU's handler. Each carries
 * what the machine's own counters count, one event per count: a recording of a run and the run's
 * report agree.
 *
 * <p>Times: an event's JFR duration is host time (what the model cost the JVM); modeled time, in
 * virtual nanoseconds of the machine's clock, is a field of its own where it matters.
 *
 * <p>Cheap when nothing records: callers ask a static probe instance ({@code PROBE.isEnabled()})
 * before they build an event, so a run without a recording allocates nothing and builds no string.
 */
package org.jdma.machine.jfr;
