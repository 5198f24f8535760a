package org.jdma.cli.nvme;

import java.util.Locale;

/**
 * One fio-like job description.
 *
 * @param rw        read, write, randread, randwrite or randrw (half reads)
 * @param bs        bytes per I/O, a multiple of 512
 * @param iodepth   requests each job keeps outstanding
 * @param numjobs   jobs, each on its own queue pair (and CPU)
 * @param size      bytes of the namespace the jobs address
 * @param runtimeNs modeled time to run, ns
 * @param iommu     off, strict, lazy or identity
 * @param verify    read back what was written and compare checksums
 * @param seed      the machine's and the workload's seed
 */
public record NvmeJob(String rw, int bs, int iodepth, int numjobs, long size, long runtimeNs, String iommu, boolean verify,
                      long seed) {

    public NvmeJob {
        rw = rw.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("read", "write", "randread", "randwrite", "randrw").contains(rw)) {
            throw new IllegalArgumentException("--rw must be read, write, randread, randwrite or randrw, was " + rw);
        }
        if (bs < 512 || bs % 512 != 0 || bs > 128 * 1024) {
            throw new IllegalArgumentException("--bs must be a multiple of 512 up to 128K, was " + bs);
        }
        if (iodepth < 1 || iodepth > 1023) {
            throw new IllegalArgumentException("--iodepth must be 1..1023, was " + iodepth);
        }
        if (numjobs < 1 || numjobs > 16) {
            throw new IllegalArgumentException("--numjobs must be 1..16, was " + numjobs);
        }
        if (size < bs || size % 512 != 0 || size > (1L << 30)) {
            throw new IllegalArgumentException("--size must be a multiple of 512 from --bs up to 1G, was " + size);
        }
        if (runtimeNs <= 0) {
            throw new IllegalArgumentException("--runtime must be positive, was " + runtimeNs + " ns");
        }
    }

    public NvmeJob withIodepth(int d) {
        return new NvmeJob(rw, bs, d, numjobs, size, runtimeNs, iommu, verify, seed);
    }

    boolean random() { return rw.startsWith("rand"); }
}
