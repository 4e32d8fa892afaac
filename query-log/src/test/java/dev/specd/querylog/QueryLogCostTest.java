package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What logging costs: bytes per typical record (200 prompt tokens, 128 output tokens, top-20), write
 * throughput, the price of an offer and of {@link TopLogprobs#fromLogits} on a 32k vocabulary. Prints the
 * numbers; asserts only the storage budget, since timings on shared machines vary too much to assert.
 */
class QueryLogCostTest {

    private static final int RECORDS = 2_000;
    private static final int OUTPUT_TOKENS = 128;
    private static final int K = 20;

    @TempDir
    Path dir;

    @Test
    void typicalRecordsTakeUnderThirteenAndAHalfKilobytesWithA32kVocabulary() throws Exception {
        long now = System.currentTimeMillis();
        List<QueryRecord> records = IntStream.range(0, RECORDS)
                .mapToObj(i -> TestRecords.record(i, now, 200, OUTPUT_TOKENS, K)).toList();
        long[] offerNanos = new long[RECORDS];
        SqliteQueryLog log = SqliteQueryLog.open(dir.resolve("32k"), TestLogs.config(RECORDS, 64));
        long started = System.nanoTime();
        try {
            for (int i = 0; i < RECORDS; i++) {
                long before = System.nanoTime();
                assertTrue(log.offer(records.get(i)));
                offerNanos[i] = System.nanoTime() - before;
            }
        } finally {
            log.close();
        }
        long finished = System.nanoTime();
        QueryLogStats stats = log.stats();
        assertEquals(RECORDS, stats.written());
        long payloadPerRecord = stats.bytes() / RECORDS;
        long filePerRecord = bytesInUse(dir.resolve("32k")) / RECORDS;
        long filePerRecordLargeVocabulary = filePerRecordWithLargeVocabulary(now);
        Arrays.sort(offerNanos);

        System.out.printf("query log, typical record: %d B payload, %d B of file with a 32k vocabulary,"
                        + " %d B of file with a 152k one (float32 log-probabilities would add %d B);"
                        + " %.0f records/s written; offer p50 %d ns, p99 %d ns;"
                        + " fromLogits(32k vocabulary, k=20) %d µs%n",
                payloadPerRecord, filePerRecord, filePerRecordLargeVocabulary, 2L * OUTPUT_TOKENS * K,
                RECORDS / ((finished - started) / 1e9), offerNanos[RECORDS / 2], offerNanos[RECORDS * 99 / 100],
                fromLogitsMicros());
        assertTrue(filePerRecord < 13_500, filePerRecord + " bytes of file per record");
    }

    private long filePerRecordWithLargeVocabulary(long now) throws IOException, SQLException {
        int records = 200;
        Path largeVocabulary = dir.resolve("152k");
        try (SqliteQueryLog log = SqliteQueryLog.open(largeVocabulary, TestLogs.config(records, 64))) {
            for (int i = 0; i < records; i++) {
                log.offer(TestRecords.record(i, now, 200, OUTPUT_TOKENS, K, 151_936));
            }
        }
        return bytesInUse(largeVocabulary) / records;
    }

    private static long bytesInUse(Path dataDir) throws SQLException {
        try (Connection connection = TestLogs.connect(dataDir); Statement statement = connection.createStatement()) {
            return DatabaseSize.bytesInUse(statement);
        }
    }

    private static long fromLogitsMicros() {
        SplittableRandom random = new SplittableRandom(3);
        float[] logits = new float[32_000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        for (int warmUp = 0; warmUp < 200; warmUp++) {
            TopLogprobs.fromLogits(logits, K);
        }
        int calls = 200;
        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            TopLogprobs.fromLogits(logits, K);
        }
        return (System.nanoTime() - started) / calls / 1_000;
    }
}
