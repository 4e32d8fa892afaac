package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QueryLogReaderTest {

    private static final long NOW = System.currentTimeMillis();

    @TempDir
    Path dir;

    @Test
    void pagesThroughRecordsWhileAWriterAppends() throws Exception {
        int total = 400;
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(32, 8));
                QueryLogReader reader = QueryLogReader.open(dir)) {
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        QueryRecord record = TestRecords.small(i, NOW);
                        TestLogs.await("the log accepts record " + record.requestId(), () -> log.offer(record));
                    }
                } catch (Throwable e) {
                    producerFailure.set(e);
                }
            });

            long lastSeen = 0;
            int pages = 0;
            while (lastSeen < total) {
                List<StoredQuery> page = reader.after(lastSeen, 7);
                assertTrue(page.size() <= 7);
                for (StoredQuery stored : page) {
                    assertEquals(lastSeen + 1, stored.id(), "ids follow each other without gaps");
                    assertEquals(TestRecords.small((int) lastSeen, NOW), stored.record());
                    lastSeen = stored.id();
                }
                pages++;
                if (producerFailure.get() != null) {
                    throw new AssertionError(producerFailure.get());
                }
            }
            producer.join();

            assertEquals(total, reader.lastId());
            assertEquals(List.of(), reader.after(total, 7));
            assertTrue(pages >= total / 7, "read in pages of at most 7: " + pages);
        }
    }

    @Test
    void anEmptyLogHasNoRecordsAndLastIdZero() throws IOException {
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(4, 1));
                QueryLogReader reader = QueryLogReader.open(dir)) {
            assertEquals(0, log.stats().written());
            assertEquals(0, reader.lastId());
            assertEquals(List.of(), reader.after(0, 10));
        }
    }

    @Test
    void readsALogWhoseWriterHasClosed() throws IOException {
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 4))) {
            for (int i = 0; i < 5; i++) {
                log.offer(TestRecords.small(i, NOW));
            }
        }
        try (QueryLogReader reader = QueryLogReader.open(dir)) {
            assertEquals(5, reader.lastId());
            assertEquals(List.of(4L, 5L), reader.after(3, 10).stream().map(StoredQuery::id).toList());
            assertEquals(List.of(), reader.after(0, 0));
        }
    }

    @Test
    void noLogIsAClearError() {
        IOException error = assertThrows(IOException.class, () -> QueryLogReader.open(dir));

        assertTrue(error.getMessage().startsWith("no query log at "), error.getMessage());
    }
}
