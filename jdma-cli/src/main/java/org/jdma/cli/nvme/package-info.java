/**
 * What {@code jdma run nvme} runs: a fio-like load generator over the NVMe driver's block device (fio's
 * {@code rw}, {@code bs}, {@code iodepth}, {@code numjobs}, {@code size}, {@code runtime}), completion
 * latencies in an HdrHistogram, and a queue-depth sweep. Time is the machine's modeled time.
 *
 * <p>Invariant: each job keeps exactly {@code iodepth} requests outstanding on its own queue until
 * the runtime has passed, so throughput times mean latency is the depth (Little's law).
 */
package org.jdma.cli.nvme;
