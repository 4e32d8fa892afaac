package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class CapacityGovernorTest {

    /** A load serving reports; tests change it between asks. */
    static final class Load implements LoadSignal {
        volatile int active;
        volatile double busy;
        volatile Duration p99 = Duration.ZERO;
        final ReentrantLock compute = new ReentrantLock();

        @Override
        public int activeRequests() {
            return active;
        }

        @Override
        public double inferenceBusyFraction() {
            return busy;
        }

        @Override
        public Duration recentP99Latency() {
            return p99;
        }

        @Override
        public Lock computeLock() {
            return compute;
        }
    }

    @Test
    void grantsOnlyWhenNothingWaitsAndTheInferenceThreadIsIdleEnough() {
        Load load = new Load();
        CapacityGovernor governor = new CapacityGovernor(load, GovernorConfig.defaults());
        assertTrue(governor.tryGrant());
        load.active = 2;
        assertFalse(governor.tryGrant());
        assertEquals("2 requests in flight", governor.stats().lastRefusal());
        load.active = 0;
        load.busy = 0.7;
        assertFalse(governor.tryGrant());
        assertTrue(governor.stats().lastRefusal().contains("idle 30%"), governor.stats().lastRefusal());
        load.busy = 0.4;
        assertTrue(governor.tryGrant());
    }

    @Test
    void latencyObjectiveWhenConfigured() {
        Load load = new Load();
        GovernorConfig config = new GovernorConfig(false, 0, Duration.ofMillis(200), Duration.ofMillis(5));
        CapacityGovernor governor = new CapacityGovernor(load, config);
        load.active = 10;
        load.busy = 1;
        load.p99 = Duration.ofMillis(150);
        assertTrue(governor.tryGrant(), "busy, but within the latency objective: this policy grants");
        load.p99 = Duration.ofMillis(350);
        assertFalse(governor.tryGrant());
        assertTrue(governor.stats().lastRefusal().contains("p99 latency 350 ms"));
    }

    @Test
    void aStepHeldBackManyTimesCountsAsOneDeferral() {
        Load load = new Load();
        CapacityGovernor governor = new CapacityGovernor(load, GovernorConfig.defaults());
        assertTrue(governor.tryGrant());
        load.active = 1;
        for (int i = 0; i < 5; i++) {
            assertFalse(governor.tryGrant());
        }
        load.active = 0;
        assertTrue(governor.tryGrant());
        load.active = 1;
        assertFalse(governor.tryGrant());
        CapacityGovernor.Stats stats = governor.stats();
        assertEquals(2, stats.granted());
        assertEquals(2, stats.deferredSteps());
        assertEquals(6, stats.refusals());
    }

    @Test
    void trainingShareIsTrainingTimeOverElapsedTime() {
        AtomicLong now = new AtomicLong(1_000);
        CapacityGovernor governor = new CapacityGovernor(LoadSignal.IDLE, GovernorConfig.defaults(), now::get);
        now.addAndGet(1_000_000);
        governor.recordTraining(250_000);
        assertEquals(0.25, governor.stats().trainingShare(), 1e-9);
    }
}
