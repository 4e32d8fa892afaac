package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.model.llama.Transformer;
import dev.specd.querylog.QueryLogConfig;
import dev.specd.querylog.QueryLogReader;
import dev.specd.querylog.QueryRecord;
import dev.specd.querylog.SqliteQueryLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer as its own process would run it: over the SQLite query log serving writes. */
class OnlineTrainerMainTest {

    @TempDir
    Path dir;

    private static QueryRecord served(TrainingRecord record) {
        return new QueryRecord(record.requestId(), record.createdAtMillis(), "completions", record.promptTokens(),
                record.outputTokens(), 1.0, 0, 1.0, null, record.outputTokens().length, null,
                Map.of("domain", record.domain()), record.domain(), "v0000", "model", new int[0], new int[0],
                record.target());
    }

    private Path writeQueryLog(Path target, int count) throws IOException {
        Path dataDir = dir.resolve("data");
        List<TrainingRecord> traffic;
        try (Transformer model = TinyModels.load(target)) {
            traffic = TinyModels.sample(model, "code", 2, TinyModels.VOCAB, count, 16, 1, 3);
        }
        try (SqliteQueryLog log = SqliteQueryLog.open(dataDir, QueryLogConfig.defaults())) {
            traffic.forEach(record -> assertTrue(log.offer(served(record))));
        }
        try (QueryLogReader reader = QueryLogReader.open(dataDir)) {
            assertEquals(count, reader.lastId());
        }
        return dataDir;
    }

    @Test
    void trainsOnTheQueryLogAndPublishesToTheRegistry() throws Exception {
        Path target = TinyModels.writeTarget(dir.resolve("target"), 1);
        Path base = TinyModels.writeDraft(dir.resolve("draft"), 2);
        Path dataDir = writeQueryLog(target, 240);
        List<String> promoted = new CopyOnWriteArrayList<>();
        OnlineConfig config = OnlineConfig.defaults()
                .withGovernor(GovernorConfig.always())
                .withTrainer(TrainerConfig.defaults().withLearningRate(3e-3, 20))
                .withPromotion(PromotionPolicy.defaults().withEvery(50).withMinPositions(128));
        OnlineTrainerMain.Options options = new OnlineTrainerMain.Options(config, LoadSignal.IDLE,
                (version, directory) -> promoted.add(version), Duration.ofSeconds(3));

        OnlineStatus status = OnlineTrainerMain.run(dataDir, base, target, options);

        assertEquals(OnlineTrainer.State.STOPPED, status.state());
        assertEquals(240, status.recordsConsumed());
        assertTrue(status.promotions() >= 1, status.toString());
        DraftRegistry registry = DraftRegistry.open(dataDir);
        String current = registry.current().orElseThrow().name();
        assertNotEquals("v0000", current);
        assertEquals(current, promoted.getLast());
        assertEquals(TinyModels.TOKENIZER, Files.readString(registry.directory(current).resolve("tokenizer.json")));
    }

    @Test
    void waitsForAQueryLogThatDoesNotExistYet() throws Exception {
        Path base = TinyModels.writeDraft(dir.resolve("draft"), 2);
        OnlineStatus status = OnlineTrainerMain.run(dir.resolve("empty"), base, null,
                OnlineTrainerMain.Options.defaults().withRunFor(Duration.ofMillis(500)));
        assertEquals(OnlineTrainer.State.STOPPED, status.state());
        assertEquals(0, status.steps());
        assertEquals(List.of("v0000"), status.versions());
    }

    @Test
    void refusesADraftWithAnotherTokenizer() throws Exception {
        Path target = TinyModels.writeTarget(dir.resolve("target"), 1);
        Path base = TinyModels.writeDraft(dir.resolve("draft"), 2);
        Files.writeString(target.resolve("tokenizer.json"), "{\"other\": true}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnlineTrainerMain.run(dir.resolve("data"), base, target, OnlineTrainerMain.Options.defaults()));
        assertTrue(e.getMessage().contains("does not share the target's tokenizer"), e.getMessage());
    }
}
