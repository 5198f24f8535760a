package org.jdma.spec.nvme;

/**
 * The SMART / Health Information log page (Log Identifier 02h), 512 bytes (NVMe base spec 2.0
 * §5.16.1.3, Figure 207; Linux {@code struct nvme_smart_log}). Counters of 128 bits are stored as
 * two little-endian 64-bit halves, low first. Data Units are thousands of 512-byte units, rounded
 * up; temperatures are in kelvin; Power On Hours and Controller Busy Time (minutes) are whole.
 *
 * <pre>
 * 0   Critical Warning: [0] spare below threshold [1] temperature [2] reliability degraded
 *                       [3] read only [4] volatile memory backup failed [5] PMR read only
 * 1   Composite Temperature (16, K)   3 Available Spare (%)   4 Available Spare Threshold (%)
 * 5   Percentage Used                 6 Endurance Group Critical Warning Summary
 * 32  Data Units Read (128)           48 Data Units Written (128)
 * 64  Host Read Commands (128)        80 Host Write Commands (128)
 * 96  Controller Busy Time (128, min) 112 Power Cycles (128)    128 Power On Hours (128)
 * 144 Unsafe Shutdowns (128)          160 Media and Data Integrity Errors (128)
 * 176 Number of Error Information Log Entries (128)
 * 192 Warning Composite Temperature Time (32, min)   196 Critical Composite Temperature Time (32)
 * 200 Temperature Sensor 1..8 (16 each, K)           216..511 thermal management, reserved
 * </pre>
 */
public final class SmartLogLayout {

    private SmartLogLayout() { }

    public static final int SIZE = 512;

    public static final int CRITICAL_WARNING = 0;
    public static final int COMPOSITE_TEMPERATURE = 1;
    public static final int AVAILABLE_SPARE = 3;
    public static final int AVAILABLE_SPARE_THRESHOLD = 4;
    public static final int PERCENTAGE_USED = 5;
    public static final int ENDURANCE_GROUP_WARNING = 6;
    public static final int DATA_UNITS_READ = 32;
    public static final int DATA_UNITS_WRITTEN = 48;
    public static final int HOST_READ_COMMANDS = 64;
    public static final int HOST_WRITE_COMMANDS = 80;
    public static final int CONTROLLER_BUSY_TIME = 96;
    public static final int POWER_CYCLES = 112;
    public static final int POWER_ON_HOURS = 128;
    public static final int UNSAFE_SHUTDOWNS = 144;
    public static final int MEDIA_ERRORS = 160;
    public static final int ERROR_LOG_ENTRIES = 176;
    public static final int WARNING_TEMPERATURE_TIME = 192;
    public static final int CRITICAL_TEMPERATURE_TIME = 196;
    public static final int TEMPERATURE_SENSOR_1 = 200;

    public static final int WARNING_SPARE = 1;
    public static final int WARNING_TEMPERATURE = 1 << 1;
    public static final int WARNING_RELIABILITY = 1 << 2;
    public static final int WARNING_READ_ONLY = 1 << 3;
    public static final int WARNING_VOLATILE_BACKUP = 1 << 4;
    public static final int WARNING_PMR_READ_ONLY = 1 << 5;

    /** 512-byte units per Data Unit. */
    public static final long UNITS_PER_DATA_UNIT = 1000;

    /** Data Units for {@code units512} units of 512 bytes: thousands, rounded up. */
    public static long dataUnits(long units512) {
        return (units512 + UNITS_PER_DATA_UNIT - 1) / UNITS_PER_DATA_UNIT;
    }
}
