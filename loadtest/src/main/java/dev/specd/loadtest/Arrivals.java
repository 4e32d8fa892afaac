package dev.specd.loadtest;

import java.time.Duration;

/** How requests are generated: a closed loop of users or an open loop of arrivals. */
public sealed interface Arrivals {

    /** A short description for the report. */
    String describe();

    /**
     * {@code users} concurrent users, each sending a request, waiting for its end, then thinking for
     * {@code thinkTime}: the load adapts to the server's speed, like interactive clients.
     */
    record ClosedLoop(int users, Duration thinkTime) implements Arrivals {

        public ClosedLoop {
            if (users < 1) {
                throw new IllegalArgumentException("at least one user is needed, not " + users);
            }
            if (thinkTime.isNegative()) {
                throw new IllegalArgumentException("the think time must not be negative");
            }
        }

        @Override
        public String describe() {
            return "closed loop, " + users + " users, think time " + thinkTime.toMillis() + " ms";
        }
    }

    /**
     * Poisson arrivals at {@code ratePerSecond}, independent of how fast the server answers: the load
     * does not back off when the server slows down, so queueing shows.
     */
    record OpenLoop(double ratePerSecond) implements Arrivals {

        public OpenLoop {
            if (!(ratePerSecond > 0)) {
                throw new IllegalArgumentException("the arrival rate must be positive, not " + ratePerSecond);
            }
        }

        @Override
        public String describe() {
            return "open loop, Poisson arrivals at " + ratePerSecond + " requests/s";
        }
    }
}
