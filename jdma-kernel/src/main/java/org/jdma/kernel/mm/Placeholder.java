package org.jdma.kernel.mm; /** placeholder until the frame allocator lands */ final class Placeholder { private Placeholder() { } }
