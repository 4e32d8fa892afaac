package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.querylog.TopLogprobs;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    private static final long NOW = 1_000_000_000L;
    private static final ReplayConfig NO_HOLD_OUT = ReplayConfig.defaults().withHeldOutFraction(0);

    private static TrainingRecord record(long id, String domain, long createdAt) {
        TopLogprobs target = new TopLogprobs(new int[] {2}, new float[] {-0.5f}, 0.39f);
        return new TrainingRecord(id, "request-" + id, createdAt, domain, new int[] {1, 2}, new int[] {3}, List.of(target));
    }

    private static List<TrainingRecord> records(long firstId, int count, String domain, long createdAt) {
        List<TrainingRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(record(firstId + i, domain, createdAt));
        }
        return records;
    }

    private static ReplayWindow window(ListRecordSource source, ReplayConfig config, Clock clock) {
        return new ReplayWindow(source, config, 48, clock);
    }

    private static Clock at(long millis) {
        return Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    @Test
    void keepsTheNewestRecordsUpToItsCapacity() throws IOException {
        ListRecordSource source = new ListRecordSource(records(1, 25, "a", NOW));
        ReplayWindow window = window(source, NO_HOLD_OUT.withCapacity(10, 0).withBalanceDomains(false), at(NOW));
        // The first poll starts capacity + heldOutCapacity behind the newest record, not at the log's start.
        assertEquals(10, window.poll());
        assertEquals(25, window.lastId());
        source.append(records(26, 5, "a", NOW));
        assertEquals(5, window.poll());
        assertEquals(10, window.trainingSize());
        Set<Long> kept = window.sample(500).stream().map(TrainingRecord::id).collect(Collectors.toSet());
        assertEquals(Set.of(21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L), kept);
        assertEquals(30, window.lastId());
        assertEquals(15, window.consumed());
    }

    @Test
    void dropsRecordsOlderThanItsMaximumAge() throws IOException {
        long hour = Duration.ofHours(1).toMillis();
        ListRecordSource source = new ListRecordSource(records(1, 5, "a", NOW - 3 * hour));
        source.append(records(6, 5, "a", NOW - hour / 2));
        ReplayWindow window = window(source, NO_HOLD_OUT.withMaxAge(Duration.ofHours(2)), at(NOW));
        window.poll();
        assertEquals(5, window.trainingSize());
        assertTrue(window.sample(100).stream().allMatch(r -> r.id() >= 6));
    }

    @Test
    void balancedDomainsAreSampledEquallyAndTheLargestIsEvictedFirst() throws IOException {
        ListRecordSource source = new ListRecordSource(records(1, 90, "code", NOW));
        source.append(records(91, 10, "chat", NOW));
        ReplayWindow window = window(source, NO_HOLD_OUT.withCapacity(50, 0), at(NOW));
        window.poll();
        assertEquals(Map.of("code", 40, "chat", 10), window.domains());
        long chat = window.sample(2000).stream().filter(r -> r.domain().equals("chat")).count();
        assertTrue(chat > 900 && chat < 1100, "chat drawn " + chat + " times of 2000");
    }

    @Test
    void unbalancedSamplingFollowsTheTraffic() throws IOException {
        ListRecordSource source = new ListRecordSource(records(1, 90, "code", NOW));
        source.append(records(91, 10, "chat", NOW));
        ReplayWindow window = window(source, NO_HOLD_OUT.withBalanceDomains(false), at(NOW));
        window.poll();
        long chat = window.sample(2000).stream().filter(r -> r.domain().equals("chat")).count();
        assertTrue(chat > 130 && chat < 270, "chat drawn " + chat + " times of 2000");
    }

    @Test
    void heldOutSliceIsAFixedTenthOfRequestsNeverTrainedOn() throws IOException {
        ListRecordSource source = new ListRecordSource(records(1, 3000, "a", NOW));
        ReplayConfig config = ReplayConfig.defaults().withCapacity(5000, 5000);
        ReplayWindow window = window(source, config, at(NOW));
        window.poll();
        List<TrainingRecord> heldOut = window.heldOut();
        assertTrue(heldOut.size() > 240 && heldOut.size() < 360, heldOut.size() + " of 3000 held out");
        Set<Long> heldIds = heldOut.stream().map(TrainingRecord::id).collect(Collectors.toSet());
        assertTrue(window.sample(5000).stream().noneMatch(r -> heldIds.contains(r.id())));
        assertEquals(3000, window.trainingSize() + heldOut.size());

        ReplayWindow again = window(new ListRecordSource(source.all()), config.withSeed(99), at(NOW));
        again.poll();
        assertEquals(heldOut, again.heldOut(), "the split depends on the request id only");
    }

    @Test
    void sameSeedSameBatches() throws IOException {
        ListRecordSource source = new ListRecordSource(records(1, 200, "a", NOW));
        ReplayWindow first = window(source, ReplayConfig.defaults(), at(NOW));
        ReplayWindow second = window(source, ReplayConfig.defaults(), at(NOW));
        first.poll();
        second.poll();
        assertEquals(first.sample(64), second.sample(64));
        ReplayWindow other = window(source, ReplayConfig.defaults().withSeed(7), at(NOW));
        other.poll();
        assertFalse(first.sample(64).equals(other.sample(64)));
    }

    @Test
    void skipsRecordsOutsideTheDraftVocabularyOrWithNothingToLearn() throws IOException {
        TopLogprobs target = new TopLogprobs(new int[] {60}, new float[] {-0.1f}, 0.1f);
        ListRecordSource source = new ListRecordSource(List.of(
                new TrainingRecord(1, "x", NOW, "a", new int[] {1}, new int[] {2}, List.of(target)),
                new TrainingRecord(2, "y", NOW, "a", new int[] {1}, new int[0], List.of()),
                new TrainingRecord(3, "z", NOW, "a", new int[] {70}, new int[] {2},
                        List.of(new TopLogprobs(new int[] {2}, new float[] {-0.1f}, 0.1f))),
                new TrainingRecord(4, "w", NOW, "a", new int[] {1}, new int[] {2},
                        List.of(new TopLogprobs(new int[0], new float[0], 1f))),
                record(5, "a", NOW)));
        ReplayWindow window = window(source, NO_HOLD_OUT, at(NOW));
        assertEquals(1, window.poll());
        assertEquals(4, window.skipped());
        assertEquals(5, window.consumed());
    }
}
