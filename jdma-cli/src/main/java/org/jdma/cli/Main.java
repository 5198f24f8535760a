package org.jdma.cli;

/** Entry point of the jdma command. */
public final class Main {
    private Main() { }

    public static void main(String[] args) {
        System.out.println("jdma");
    }
}
