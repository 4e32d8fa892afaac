package dev.specd.loadtest;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Hands out the run's requests in order: each gets an id, the phase of the run's progress, a prompt
 * drawn from that phase and the next arm. It is the one place that says when the run stops sending:
 * at {@code maxRequests} requests or at the end of the duration, whichever comes first. Thread-safe.
 */
final class RequestSource {

    /** A request to send. */
    record Planned(RequestResult.Sent sent, Prompt prompt) {}

    private final Workload workload;
    private final ArmRotation arms;
    private final RunClock clock;
    private final long durationNanos;
    private final int maxRequests;
    private final SplittableRandom random;
    private long issued;

    RequestSource(Workload workload, ArmRotation arms, RunClock clock, Duration duration, int maxRequests, long seed) {
        this.workload = workload;
        this.arms = arms;
        this.clock = clock;
        this.durationNanos = duration.toNanos();
        this.maxRequests = maxRequests;
        this.random = new SplittableRandom(seed);
    }

    /** The next request, or empty once the run is over. */
    synchronized Optional<Planned> next() {
        long now = System.nanoTime();
        if (issued >= maxRequests || now - clock.startNanos() >= durationNanos) {
            return Optional.empty();
        }
        int phase = workload.phaseAt(progress(now));
        var prompts = workload.phases().get(phase).prompts();
        Prompt prompt = prompts.get(random.nextInt(prompts.size()));
        RequestResult.Sent sent = new RequestResult.Sent(issued++, arms.next(), phase, prompt.domain(),
                clock.seconds(now));
        return Optional.of(new Planned(sent, prompt));
    }

    /** The run's progress in [0, 1]: the larger of the time and the request count used. */
    synchronized double progress() {
        return progress(System.nanoTime());
    }

    synchronized long issued() {
        return issued;
    }

    /** The name of the phase requests are drawn from now. */
    synchronized String phaseName() {
        return workload.phases().get(workload.phaseAt(progress(System.nanoTime()))).name();
    }

    /** The end of the sending period, on the {@link System#nanoTime()} clock. */
    long deadlineNanos() {
        return clock.startNanos() + durationNanos;
    }

    private double progress(long now) {
        double time = (double) (now - clock.startNanos()) / durationNanos;
        return Math.min(1, Math.max(time, (double) issued / maxRequests));
    }
}
