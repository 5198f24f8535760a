package org.jdma.kernel.dma.debug;

/** Whether the driver tested a mapping's handle with {@code mappingError} (Linux {@code enum map_err_types}). */
public enum MapErrorState {
    /** Coherent allocations and sg lists: the check does not apply. */
    NOT_APPLICABLE("dma map error check not applicable"),
    /** A single/page mapping whose handle was never tested: unmapping it is check 8. */
    NOT_CHECKED("dma map error not checked"),
    CHECKED("dma map error checked");

    private final String linuxText;

    MapErrorState(String linuxText) {
        this.linuxText = linuxText;
    }

    /** The words Linux's {@code debug_dma_dump_mappings} prints. */
    public String linuxText() {
        return linuxText;
    }
}
