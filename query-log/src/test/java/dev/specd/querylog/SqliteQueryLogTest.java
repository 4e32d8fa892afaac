package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SqliteQueryLogTest {

    private static final long NOW = System.currentTimeMillis();

    @TempDir
    Path dir;

    @Test
    void everyFieldRoundTrips() throws IOException {
        QueryRecord full = new QueryRecord("req-full", NOW, "chat.completions", new int[] {1, 2, 3},
                new int[] {40, 41}, 0.0, 0, 1.0, -42L, 512, "alice", Map.of("domain", "math", "note", "ünïcødé \"quoted\""),
                "math", "v0007", "hybrid", new int[] {4, 0}, new int[] {1, 0},
                List.of(new TopLogprobs(new int[] {40, 7}, new float[] {-0.25f, -1.5f}, 0.3f),
                        new TopLogprobs(new int[] {41}, new float[] {-0.125f}, 0.1f)));
        QueryRecord empty = new QueryRecord("req-empty", NOW + 1, "completions", new int[0], new int[0], 1.0, 40, 0.9,
                null, 0, null, null, null, null, "none", new int[0], new int[0], List.of());
        QueryRecord typical = TestRecords.typical(3, NOW + 2);

        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 2))) {
            assertTrue(log.offer(full));
            assertTrue(log.offer(empty));
            assertTrue(log.offer(typical));
        }

        List<StoredQuery> stored = TestLogs.readAll(dir);
        assertEquals(List.of(1L, 2L, 3L), stored.stream().map(StoredQuery::id).toList());
        assertEquals(List.of(full, empty, typical), stored.stream().map(StoredQuery::record).toList());
        QueryRecord emptyBack = stored.get(1).record();
        assertEquals(null, emptyBack.seed());
        assertEquals(null, emptyBack.user());
        assertEquals(null, emptyBack.domain());
        assertEquals(Map.of(), emptyBack.metadata());
    }

    @Test
    void statsCountWrittenRecordsAndTheirPayload() throws IOException {
        SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 4));
        for (int i = 0; i < 10; i++) {
            log.offer(TestRecords.small(i, NOW));
        }
        log.close();

        QueryLogStats stats = log.stats();
        assertEquals(10, stats.written());
        assertEquals(0, stats.dropped());
        assertEquals(0, stats.queued());
        assertTrue(stats.bytes() > 10 * 8 * 4 * 6, "payload " + stats.bytes());
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch writerHolds = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WriterHooks pause = new WriterHooks() {
            @Override
            public void batchTaken(int records) {
                writerHolds.countDown();
                awaitUninterruptibly(release);
            }
        };
        SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(4, 1), TestLogs.settings(pause));
        try {
            assertTrue(log.offer(TestRecords.small(0, NOW)));
            writerHolds.await();
            for (int i = 1; i <= 4; i++) {
                assertTrue(log.offer(TestRecords.small(i, NOW)), "record " + i + " fits the queue");
            }
            long started = System.nanoTime();
            for (int i = 5; i < 1_005; i++) {
                assertFalse(log.offer(TestRecords.small(5, NOW)));
            }
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

            assertEquals(new QueryLogStats(0, 1_000, 0, 4), log.stats());
            assertTrue(elapsedMillis < 1_000, "1000 refused offers took " + elapsedMillis + " ms");
            release.countDown();
            log.close();
            assertEquals(5, log.stats().written());
            assertEquals(1_000, log.stats().dropped());
        } finally {
            release.countDown();
            log.close();
        }
        assertEquals(5, TestLogs.readAll(dir).size());
    }

    @Test
    void closeDrainsTheQueue() throws IOException {
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(500, 8))) {
            for (int i = 0; i < 300; i++) {
                assertTrue(log.offer(TestRecords.small(i, NOW)));
            }
        }
        assertEquals(300, TestLogs.readAll(dir).size());
    }

    @Test
    void closeGivesUpOnAStuckWriterAndCountsWhatItLeaves() throws Exception {
        CountDownLatch writerHolds = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WriterHooks stuck = new WriterHooks() {
            @Override
            public void batchTaken(int records) {
                writerHolds.countDown();
                awaitUninterruptibly(release);
            }
        };
        WriterSettings settings = new WriterSettings(256, Duration.ofMinutes(1), Duration.ofMillis(20),
                Duration.ofMillis(100), stuck);
        SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 1), settings);
        log.offer(TestRecords.small(0, NOW));
        writerHolds.await();
        for (int i = 1; i <= 10; i++) {
            log.offer(TestRecords.small(i, NOW));
        }

        long started = System.nanoTime();
        log.close();
        long closeMillis = (System.nanoTime() - started) / 1_000_000;
        release.countDown();

        assertTrue(closeMillis < 2_000, "close took " + closeMillis + " ms");
        assertFalse(log.offer(TestRecords.small(11, NOW)));
        TestLogs.await("the writer has let go of every record",
                () -> log.stats().written() + log.stats().dropped() == 12);
        assertEquals(1, log.stats().written());
    }

    @Test
    void offersAfterCloseAndNullOffersAreDroppedAndCounted() throws IOException {
        SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 1));
        assertFalse(log.offer(null));
        log.close();
        log.close();

        assertFalse(log.offer(TestRecords.small(1, NOW)));
        assertEquals(new QueryLogStats(0, 2, 0, 0), log.stats());
    }

    /**
     * A database that cannot grow (SQLite's page limit stands in for a full disk) loses records, counted, and
     * reports it once; once it can grow again the writer reopens it and carries on.
     */
    @Test
    void aFullDatabaseDropsCountsReportsOnceAndRecovers() throws Exception {
        AtomicInteger maxPages = new AtomicInteger(24);
        WriterHooks limitedDisk = new WriterHooks() {
            @Override
            public void connectionOpened(Connection connection) throws SQLException {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA max_page_count = " + maxPages.get());
                }
            }
        };
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream standardError = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 1), TestLogs.settings(limitedDisk));
        try {
            OfferCounts counts = new OfferCounts();
            while (counts.accepted - log.stats().written() < 3) {
                counts.offerOneAndSettle(log, TestRecords.typical(counts.accepted, NOW));
            }
            long writtenBeforeRecovery = log.stats().written();
            maxPages.set(1_000_000);
            // The connection opened under the old limit fails once more; its replacement has room.
            while (log.stats().written() == writtenBeforeRecovery) {
                counts.offerOneAndSettle(log, TestRecords.typical(counts.accepted, NOW));
            }
            log.close();

            assertTrue(writtenBeforeRecovery > 0, "some records fit before the database filled up");
            assertTrue(counts.attempts > counts.accepted, "a failing log refuses offers");
            assertEquals(counts.attempts, log.stats().written() + log.stats().dropped());
        } finally {
            log.close();
            System.setErr(standardError);
        }
        String logged = errors.toString(StandardCharsets.UTF_8);
        assertEquals(1, logged.split("Query log stopped writing", -1).length - 1, logged);
        assertTrue(logged.contains("the disk is full"), logged);
        assertTrue(logged.contains("Query log at " + QueryLogDatabase.file(dir) + " is writing again"), logged);
    }

    /** Offers one record until the log takes it, then waits until the writer has written or dropped it. */
    private static final class OfferCounts {
        int attempts;
        int accepted;

        void offerOneAndSettle(QueryLog log, QueryRecord record) throws InterruptedException {
            TestLogs.await("the log accepts a record", () -> {
                attempts++;
                return log.offer(record);
            });
            accepted++;
            TestLogs.await("the writer has written or dropped every record",
                    () -> log.stats().written() + log.stats().dropped() >= attempts);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
