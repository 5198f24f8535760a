package org.jdma.kernel.engine; final class Placeholder { private Placeholder() { } }
