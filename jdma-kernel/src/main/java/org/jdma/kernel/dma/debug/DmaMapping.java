package org.jdma.kernel.dma.debug;

import java.util.Locale;
import org.jdma.kernel.dma.DmaDirection;

/**
 * A snapshot of one checked mapping (Linux {@code struct dma_debug_entry}), as reports show it.
 *
 * @param device        the device's name
 * @param dmaAddress    the device (bus) address; for an sg list, this device segment's
 * @param size          bytes mapped (this device segment's length for an sg list)
 * @param physical      where the CPU reaches the memory (the first input segment's address for an sg list)
 * @param type          which call made it
 * @param direction     the direction it was mapped with (BIDIRECTIONAL for coherent allocations)
 * @param sgCallEntries entries passed to mapSg (0 otherwise)
 * @param sgMappedEntries device segments mapSg returned (0 otherwise)
 * @param mapError      whether the handle was tested with {@code mappingError}
 */
public record DmaMapping(String device, long dmaAddress, long size, long physical, DmaMappingType type,
                         DmaDirection direction, int sgCallEntries, int sgMappedEntries, MapErrorState mapError) {

    /** Linux's {@code dir2name}: "DMA_TO_DEVICE" and so on. */
    public static String directionName(DmaDirection d) {
        return "DMA_" + d.name().toUpperCase(Locale.ROOT);
    }

    /** One line in dma-debug's bracket style. */
    public String describe() {
        String sg = type == DmaMappingType.SCATTER_GATHER
                ? String.format(" [sg entries=%d mapped as %d segments]", sgCallEntries, sgMappedEntries) : "";
        return String.format("[device address=0x%016x] [size=%d bytes] [cpu address=0x%x] [mapped as %s] [mapped with %s]%s",
                dmaAddress, size, physical, type.linuxName(), directionName(direction), sg);
    }

    /** Linux's {@code debug_dma_dump_mappings} line for this entry. */
    public String dumpLine() {
        return String.format("%s %s P=0x%x D=0x%x L=0x%x %s %s", device, type.linuxName(), physical, dmaAddress, size,
                directionName(direction), mapError.linuxText());
    }
}
