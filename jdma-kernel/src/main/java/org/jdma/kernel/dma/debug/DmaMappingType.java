package org.jdma.kernel.dma.debug;

/** Which API call made a mapping (Linux dma-debug's {@code type2name}). Unmapping with another is check 4. */
public enum DmaMappingType {
    SINGLE("single"),
    PAGE("page"),
    SCATTER_GATHER("scatter-gather"),
    COHERENT("coherent");

    private final String linuxName;

    DmaMappingType(String linuxName) {
        this.linuxName = linuxName;
    }

    /** The name Linux prints ("mapped as single"). */
    public String linuxName() {
        return linuxName;
    }

    /** Whether the mapping is a streaming one (ownership moves with syncs), not a coherent allocation. */
    public boolean streaming() {
        return this != COHERENT;
    }
}
