package dev.specd.verifier;

import java.util.random.RandomGenerator;

/** A RandomGenerator whose nextDouble() returns the given values in order, for exact unit tests. */
final class ScriptedRandom implements RandomGenerator {

    private final double[] values;
    private int next;

    ScriptedRandom(double... values) {
        this.values = values;
    }

    @Override
    public double nextDouble() {
        if (next == values.length) {
            throw new AssertionError("drew more than the " + values.length + " scripted random numbers");
        }
        return values[next++];
    }

    @Override
    public long nextLong() {
        throw new AssertionError("only nextDouble() is scripted");
    }

    int used() {
        return next;
    }
}
