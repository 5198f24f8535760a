package org.jdma.cli.soak;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jdma.kernel.Kernel;
import org.jdma.kernel.drivers.isablock.IsaBlockDriver;
import org.jdma.machine.dev.isablock.IsaBlockDevice;
import org.jdma.spec.isablock.IsaBlockPorts;

/**
 * The ISA block device's share: writes random sectors through the 8237A (single mode, ZONE_DMA
 * buffer) and reads them back through the same driver; at the end every sector written is
 * compared with the medium. An operation blocks the soak's loop for its modeled duration (about
 * 8 ms a sector at the medium's rate), while the NIC and NVMe keep running on the event kernel.
 */
final class IsaWork {

    /** Sectors one operation moves at most. */
    static final int MAX_SECTORS = 2;

    private final Kernel kernel;
    private final SoakConfig config;
    private final IsaBlockDriver driver;
    private final IsaBlockDevice device;
    private final byte[] shadow;
    private final boolean[] written;
    private final SplittableRandom random;

    long operations;
    long bytesMoved;
    long bytesVerified;
    long mismatches;
    long errors;
    long resets;

    IsaWork(Kernel kernel, IsaBlockDevice device, SoakConfig config) {
        this.kernel = kernel;
        this.config = config;
        this.driver = kernel.drivers().drivers(IsaBlockDriver.class).getFirst();
        this.device = device;
        this.shadow = device.medium().clone();
        this.written = new boolean[shadow.length / IsaBlockPorts.SECTOR_BYTES];
        this.random = new SplittableRandom(config.seed() ^ 0x8237L);
    }

    /** One write of 1..{@link #MAX_SECTORS} random sectors and its read-back. */
    void step() {
        int count = 1 + random.nextInt(MAX_SECTORS);
        int sector = random.nextInt(Math.min(written.length, 0x10000) - count + 1);
        int bytes = count * IsaBlockPorts.SECTOR_BYTES;
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        try {
            driver.write(sector, count, data);
            System.arraycopy(data, 0, shadow, sector * IsaBlockPorts.SECTOR_BYTES, bytes);
            Arrays.fill(written, sector, sector + count, true);
            byte[] back = new byte[bytes];
            driver.read(sector, count, back);
            operations += 2;
            bytesMoved += 2L * bytes;
            bytesVerified += bytes;
            if (!Arrays.equals(data, back)) {
                mismatches++;
            }
        } catch (IsaBlockDriver.IsaBlockException e) {
            errors++;
        }
        if (config.sabotaged(Sabotage.CORRUPT_ISA_MEDIUM) && operations == 2) {
            device.medium()[sector * IsaBlockPorts.SECTOR_BYTES] ^= 0x01;
        }
    }

    /** The driver's reset path (acknowledge whatever the device holds), between operations. */
    void reset() {
        kernel.drivers().reset(SoakRig.nameOf(kernel, driver));
        resets++;
    }

    /** Compares every sector written with the medium. */
    void verifyAll() {
        byte[] medium = device.medium();
        for (int s = 0; s < written.length; s++) {
            if (written[s]) {
                int at = s * IsaBlockPorts.SECTOR_BYTES;
                bytesVerified += IsaBlockPorts.SECTOR_BYTES;
                if (!Arrays.equals(medium, at, at + IsaBlockPorts.SECTOR_BYTES, shadow, at, at + IsaBlockPorts.SECTOR_BYTES)) {
                    mismatches++;
                }
            }
        }
    }

    void report(SoakReport r) {
        r.figure("isa block     %,d operations (write, then read back), %,d bytes moved, %,d bytes verified, %d resets, "
                + "%d interrupts", operations, bytesMoved, bytesVerified, resets, driver.interrupts());
        r.check("isa: sectors that did not hold what was written", 0, mismatches);
        r.check("isa: operations that failed", 0, errors);
    }
}
