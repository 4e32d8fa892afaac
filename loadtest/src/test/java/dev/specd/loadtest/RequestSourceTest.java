package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestSourceTest {

    private static final List<Arm> ARMS = List.of(Arm.OFF, Arm.ORIGINAL, Arm.ADAPTIVE);

    private static Workload englishThenPython() throws IOException {
        return Workload.ofDomains(Fixtures.heldout(), List.of("english", "python"), Fixtures.SAMPLING);
    }

    @Test
    void theCountBoundSwitchesPhaseMidRunAndStops() throws IOException {
        RequestSource source = new RequestSource(englishThenPython(), new ArmRotation(ARMS, 1), RunClock.start(),
                Duration.ofHours(1), 12, 3);
        List<RequestSource.Planned> planned = new ArrayList<>();
        for (Optional<RequestSource.Planned> next = source.next(); next.isPresent(); next = source.next()) {
            planned.add(next.get());
            assertTrue(planned.size() <= 12, "the source must stop at max requests");
        }
        assertEquals(12, planned.size());
        for (int i = 0; i < 12; i++) {
            RequestResult.Sent sent = planned.get(i).sent();
            assertEquals(i, sent.id());
            assertEquals(i < 6 ? 0 : 1, sent.phase(), "request " + i);
            assertEquals(i < 6 ? "english" : "python", sent.domain());
            assertEquals(sent.domain(), planned.get(i).prompt().domain());
        }
        assertEquals(1.0, source.progress());
    }

    @Test
    void theTimeBoundSwitchesPhaseMidRunAndStops() throws Exception {
        RequestSource source = new RequestSource(englishThenPython(), new ArmRotation(ARMS, 1), RunClock.start(),
                Duration.ofMillis(1500), 1_000_000, 3);
        assertEquals(0, source.next().orElseThrow().sent().phase());
        Thread.sleep(800);
        assertEquals(1, source.next().orElseThrow().sent().phase());
        assertEquals("python", source.phaseName());
        Thread.sleep(800);
        assertTrue(source.next().isEmpty(), "no request after the duration");
    }

    @Test
    void armsInterleaveInBlocksHoldingEachOnce() {
        ArmRotation rotation = new ArmRotation(ARMS, 5);
        List<Arm> order = new ArrayList<>();
        for (int block = 0; block < 50; block++) {
            Set<Arm> seen = EnumSet.noneOf(Arm.class);
            for (int i = 0; i < ARMS.size(); i++) {
                Arm arm = rotation.next();
                seen.add(arm);
                order.add(arm);
            }
            assertEquals(EnumSet.copyOf(ARMS), seen, "block " + block);
        }
        ArmRotation again = new ArmRotation(ARMS, 5);
        for (Arm arm : order) {
            assertEquals(arm, again.next(), "a seed fixes the order");
        }
        assertTrue(!order.subList(0, 3).equals(order.subList(3, 6)) || !order.subList(3, 6).equals(order.subList(6, 9)),
                "blocks are shuffled, not a fixed cycle");
    }
}
