/** The floppy-like ISA block device's ports and behaviour ({@link org.jdma.spec.isablock.IsaBlockPorts}). No state. */
package org.jdma.spec.isablock;
