package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Opening, reading and inspecting logs in tests. */
final class TestLogs {

    private TestLogs() {
    }

    static QueryLogConfig config(int queueCapacity, int batchSize) {
        return new QueryLogConfig(queueCapacity, 20, 1L << 30, Duration.ofDays(7), batchSize);
    }

    /** Production timings, but a quick retry so failure tests need not wait. */
    static WriterSettings settings(WriterHooks hooks) {
        return new WriterSettings(256, Duration.ofMinutes(1), Duration.ofMillis(20), Duration.ofSeconds(10), hooks);
    }

    static List<StoredQuery> readAll(Path dataDir) throws IOException {
        try (QueryLogReader reader = QueryLogReader.open(dataDir)) {
            List<StoredQuery> all = new ArrayList<>();
            for (List<StoredQuery> page = reader.after(0, 50); !page.isEmpty(); page = reader.after(page.getLast().id(), 50)) {
                all.addAll(page);
            }
            return all;
        }
    }

    /** A plain read-write connection, as another tool would open the file. */
    static Connection connect(Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + QueryLogDatabase.file(dataDir));
    }

    /** Waits for a condition another thread makes true; fails after the deadline instead of hanging. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(1);
        }
    }
}
