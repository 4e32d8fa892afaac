package dev.specd.loadtest;

/** The run's time origin: every time in the report is seconds (or milliseconds) from it. */
record RunClock(long startNanos) {

    static RunClock start() {
        return new RunClock(System.nanoTime());
    }

    double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    double elapsedSeconds() {
        return seconds(System.nanoTime());
    }
}
