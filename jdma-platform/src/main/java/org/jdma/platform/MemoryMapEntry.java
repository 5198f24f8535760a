package org.jdma.platform;

/**
 * One entry of the firmware memory map, in the spirit of the ACPI address range types
 * (ACPI 6.5 §15.1 "System Address Map Interfaces": AddressRangeMemory, AddressRangeReserved).
 */
public record MemoryMapEntry(long base, long length, Type type) {
    public enum Type {
        /** Usable RAM (AddressRangeMemory). */
        RAM,
        /**
         * Not for the OS to allocate (AddressRangeReserved): MMIO windows, the interrupt range, and
         * RAM the firmware keeps for devices (the DMAR's RMRR ranges).
         */
        RESERVED
    }

    public long end() {
        return base + length;
    }
}
