package dev.specd.loadtest;

import java.util.SplittableRandom;

/**
 * Arrival times of an open loop: a Poisson process, so the gaps between arrivals are independent and
 * exponential with mean 1 / rate. Requests arrive whether or not earlier ones have finished, as from
 * many independent users, which is what exposes queueing.
 */
final class PoissonArrivals {

    private final double ratePerSecond;
    private final SplittableRandom random;

    PoissonArrivals(double ratePerSecond, long seed) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("the arrival rate must be positive, not " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.random = new SplittableRandom(seed);
    }

    /** The gap to the next arrival, in nanoseconds (inverse-CDF sampling of the exponential). */
    long nextGapNanos() {
        return (long) (-Math.log1p(-random.nextDouble()) / ratePerSecond * 1e9);
    }
}
