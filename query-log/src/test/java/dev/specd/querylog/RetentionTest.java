package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    private static final long NOW = System.currentTimeMillis();
    private static final long EIGHT_DAYS_AGO = NOW - Duration.ofDays(8).toMillis();

    @TempDir
    Path dir;

    @Test
    void recordsOlderThanTheMaximumAgeAreDeleted() throws IOException {
        write(Duration.ofDays(7), 1L << 30, 10, i -> TestRecords.small(i, i < 5 ? EIGHT_DAYS_AGO : NOW));

        assertEquals(List.of(6L, 7L, 8L, 9L, 10L), ids());
    }

    @Test
    void theOldestRecordsGoWhenTheDatabaseExceedsItsByteBudget() throws Exception {
        long maxBytes = 256 * 1024;
        write(Duration.ofDays(7), maxBytes, 60, i -> TestRecords.typical(i, NOW));

        List<Long> kept = ids();
        assertTrue(kept.size() >= 5, "kept " + kept.size());
        assertEquals(LongStream.rangeClosed(61 - kept.size(), 60).boxed().toList(), kept, "the newest records, in order");
        try (Connection connection = TestLogs.connect(dir); Statement statement = connection.createStatement()) {
            assertTrue(DatabaseSize.bytesInUse(statement) <= maxBytes, "in use " + DatabaseSize.bytesInUse(statement));
        }
        long fileSize = Files.size(QueryLogDatabase.file(dir));
        assertTrue(fileSize <= maxBytes + 4 * 4096, "free pages beyond the headroom go back: file is " + fileSize);
    }

    @Test
    void theNewestRecordStaysEvenWhenItAloneIsOverBudgetOrTooOld() throws IOException {
        write(Duration.ofDays(7), 8 * 1024, 3, i -> TestRecords.typical(i, EIGHT_DAYS_AGO));

        assertEquals(List.of(3L), ids());
    }

    @Test
    void idsAreNeverReusedAfterDeletion() throws IOException {
        write(Duration.ofDays(7), 8 * 1024, 3, i -> TestRecords.typical(i, NOW));
        write(Duration.ofDays(7), 1L << 30, 1, i -> TestRecords.small(i, NOW));

        assertEquals(List.of(3L, 4L), ids());
    }

    @Test
    void pagesFreedBeyondTheHeadroomGoBackToTheFileSystem() throws IOException {
        long maxBytes = 1024 * 1024;
        write(Duration.ofDays(7), maxBytes, 60, i -> TestRecords.typical(i, EIGHT_DAYS_AGO), 1_000);
        long grown = Files.size(QueryLogDatabase.file(dir));

        // Retention runs when the writer starts: all old records but the newest go.
        write(Duration.ofDays(7), maxBytes, 0, i -> TestRecords.typical(i, NOW), 1_000);

        long shrunk = Files.size(QueryLogDatabase.file(dir));
        assertEquals(List.of(60L), ids());
        assertTrue(grown > 700 * 1024, "60 records take " + grown + " bytes");
        assertTrue(shrunk < 40 * 1024 + maxBytes / 10, "one record and the headroom, but the file is " + shrunk);
    }

    /** Writes one record per batch with retention after every batch, so the outcome does not depend on timing. */
    private void write(Duration maxAge, long maxBytes, int count, IntFunction<QueryRecord> records) throws IOException {
        write(maxAge, maxBytes, count, records, 1);
    }

    private void write(Duration maxAge, long maxBytes, int count, IntFunction<QueryRecord> records,
            int retentionEveryBatches) throws IOException {
        QueryLogConfig config = new QueryLogConfig(Math.max(1, count), 20, maxBytes, maxAge, 1);
        WriterSettings settings = new WriterSettings(retentionEveryBatches, Duration.ofMinutes(1), Duration.ofMillis(20),
                Duration.ofSeconds(10), WriterHooks.NONE);
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, config, settings)) {
            for (int i = 0; i < count; i++) {
                assertTrue(log.offer(records.apply(i)));
            }
        }
    }

    private List<Long> ids() throws IOException {
        return TestLogs.readAll(dir).stream().map(StoredQuery::id).toList();
    }
}
