package org.jdma.kernel.drivers.memcpy; final class Placeholder { private Placeholder() { } }
