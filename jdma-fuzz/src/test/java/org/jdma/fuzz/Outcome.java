package org.jdma.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * What an input made a target observe: register values read, DMA results with their cost, status
 * words, in order. Fuzzing passes {@link #IGNORED}, which records nothing; {@link
 * ResetCompletenessTest} passes a recording one to compare an input's run on a reused machine with
 * its run on a new one.
 */
class Outcome {

    /** Records nothing (the fuzzing path: no cost per observation). */
    static final Outcome IGNORED = new Outcome() {
        @Override void add(String what, Object value) { }

        @Override boolean records() {
            return false;
        }
    };

    private final List<String> observed = new ArrayList<>();

    void add(String what, Object value) {
        observed.add(what + "=" + value);
    }

    /** Whether observations are kept (a caller may skip building an expensive one when not). */
    boolean records() {
        return true;
    }

    List<String> observed() {
        return observed;
    }
}
