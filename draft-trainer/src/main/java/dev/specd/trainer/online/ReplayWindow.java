package dev.specd.trainer.online;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The recent traffic the draft learns from. Follows a {@link RecordSource} by id, sends each
 * request either to training or, by a hash of its request id, to a held-out slice used only to
 * evaluate candidates, and keeps both bounded by count and age.
 *
 * <p>Not thread-safe: the training thread owns it.
 */
public final class ReplayWindow {

    private final RecordSource source;
    private final ReplayConfig config;
    private final int vocabSize;
    private final Clock clock;
    private final SplittableRandom random;
    /** Training records by domain, oldest first. */
    private final Map<String, List<TrainingRecord>> training = new LinkedHashMap<>();
    private final ArrayDeque<TrainingRecord> heldOut = new ArrayDeque<>();
    private long lastId = -1;
    private long consumed;
    private long skipped;

    /**
     * @param vocabSize the draft's vocabulary: records with a token or logged id outside it come
     *     from another tokenizer and are skipped
     */
    public ReplayWindow(RecordSource source, ReplayConfig config, int vocabSize, Clock clock) {
        this.source = source;
        this.config = config;
        this.vocabSize = vocabSize;
        this.clock = clock;
        this.random = new SplittableRandom(config.seed());
    }

    /**
     * Reads what the source has gained since the last poll. The first poll starts at most
     * capacity + heldOutCapacity records behind the newest, not at the log's beginning.
     *
     * @return records added
     */
    public int poll() throws IOException {
        if (lastId < 0) {
            lastId = Math.max(0, source.lastId() - config.capacity() - config.heldOutCapacity());
        }
        int added = 0;
        while (true) {
            List<TrainingRecord> records = source.after(lastId, config.pollLimit());
            for (TrainingRecord record : records) {
                lastId = Math.max(lastId, record.id());
                consumed++;
                if (accept(record)) {
                    added++;
                } else {
                    skipped++;
                }
            }
            if (records.size() < config.pollLimit()) {
                break;
            }
        }
        evictOld();
        return added;
    }

    private boolean accept(TrainingRecord record) {
        if (record.outputLength() == 0 || !record.usableWith(vocabSize)) {
            return false;
        }
        if (isHeldOut(record.requestId(), config.heldOutFraction())) {
            if (config.heldOutCapacity() == 0) {
                return false;
            }
            heldOut.addLast(record);
            if (heldOut.size() > config.heldOutCapacity()) {
                heldOut.removeFirst();
            }
        } else {
            training.computeIfAbsent(record.domain(), domain -> new ArrayList<>()).add(record);
            if (trainingSize() > config.capacity()) {
                evictOne();
            }
        }
        return true;
    }

    /**
     * The held-out slice: a fixed function of the request id (FNV-1a, then the SplitMix64 finaliser
     * for uniform bits), so a request stays on its side across restarts and processes.
     */
    static boolean isHeldOut(String requestId, double fraction) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : requestId.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
        hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
        hash ^= hash >>> 31;
        return (hash >>> 11) * 0x1.0p-53 < fraction;
    }

    /** Balanced: the oldest record of the largest domain. Otherwise: the oldest record. */
    private void evictOne() {
        Comparator<Map.Entry<String, List<TrainingRecord>>> order = config.balanceDomains()
                ? Comparator.comparingInt(e -> -e.getValue().size())
                : Comparator.comparingLong(e -> e.getValue().getFirst().id());
        training.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .min(order)
                .ifPresent(e -> e.getValue().removeFirst());
    }

    private void evictOld() {
        long oldest = clock.millis() - config.maxAge().toMillis();
        training.values().forEach(records -> records.removeIf(r -> r.createdAtMillis() < oldest));
        training.values().removeIf(List::isEmpty);
        heldOut.removeIf(r -> r.createdAtMillis() < oldest);
    }

    /**
     * {@code n} training records drawn with replacement by the seeded sampler: a domain uniformly,
     * then a record of it uniformly when balanced; a record uniformly otherwise.
     */
    public List<TrainingRecord> sample(int n) {
        evictOld();
        int size = trainingSize();
        if (size == 0) {
            return List.of();
        }
        List<List<TrainingRecord>> domains = List.copyOf(training.values());
        List<TrainingRecord> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (config.balanceDomains()) {
                List<TrainingRecord> domain = domains.get(random.nextInt(domains.size()));
                batch.add(domain.get(random.nextInt(domain.size())));
            } else {
                int index = random.nextInt(size);
                for (List<TrainingRecord> domain : domains) {
                    if (index < domain.size()) {
                        batch.add(domain.get(index));
                        break;
                    }
                    index -= domain.size();
                }
            }
        }
        return batch;
    }

    /** The held-out records, oldest first. */
    public List<TrainingRecord> heldOut() {
        evictOld();
        return List.copyOf(heldOut);
    }

    public int trainingSize() {
        return training.values().stream().mapToInt(List::size).sum();
    }

    /** Training records per domain. */
    public Map<String, Integer> domains() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        training.forEach((domain, records) -> sizes.put(domain, records.size()));
        return sizes;
    }

    /** Records read from the source so far, kept or not. */
    public long consumed() {
        return consumed;
    }

    /** Records read but unusable: no output, no logged distribution, or tokens outside the draft's vocabulary. */
    public long skipped() {
        return skipped;
    }

    /** The id of the newest record read, -1 before the first poll. */
    public long lastId() {
        return lastId;
    }
}
