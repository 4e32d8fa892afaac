package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the log makes of the file it finds: its own, a newer one, someone else's, garbage. */
class QueryLogFileTest {

    private static final long NOW = System.currentTimeMillis();

    @TempDir
    Path dir;

    @Test
    void reopeningKeepsRecordsAndContinuesIds() throws IOException {
        writeSmallRecords(0, 3);
        writeSmallRecords(3, 2);

        List<StoredQuery> stored = TestLogs.readAll(dir);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), stored.stream().map(StoredQuery::id).toList());
        assertEquals(TestRecords.small(4, NOW), stored.getLast().record());
    }

    @Test
    void theFileIsInWalModeWithIncrementalVacuumAndTheCurrentSchemaVersion() throws Exception {
        writeSmallRecords(0, 1);
        try (Connection connection = TestLogs.connect(dir); Statement statement = connection.createStatement()) {
            assertEquals(Schema.VERSION, QueryLogDatabase.intPragma(statement, "user_version"));
            assertEquals(2, QueryLogDatabase.intPragma(statement, "auto_vacuum"), "2 is INCREMENTAL");
            try (var mode = statement.executeQuery("PRAGMA journal_mode")) {
                mode.next();
                assertEquals("wal", mode.getString(1));
            }
        }
    }

    @Test
    void aNewerSchemaVersionIsRefusedClearly() throws Exception {
        writeSmallRecords(0, 1);
        execute("PRAGMA user_version = " + (Schema.VERSION + 1));

        IOException byWriter = assertThrows(IOException.class,
                () -> SqliteQueryLog.open(dir, TestLogs.config(4, 1)).close());
        IOException byReader = assertThrows(IOException.class, () -> QueryLogReader.open(dir).close());

        for (IOException error : List.of(byWriter, byReader)) {
            assertTrue(error.getMessage().contains("has schema version " + (Schema.VERSION + 1) + ", newer than version "
                    + Schema.VERSION), error.getMessage());
        }
    }

    @Test
    void anotherSqliteDatabaseIsRefused() throws Exception {
        Files.createDirectories(dir);
        execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)");

        IOException error = assertThrows(IOException.class, () -> SqliteQueryLog.open(dir, TestLogs.config(4, 1)).close());

        assertTrue(error.getMessage().contains("is an SQLite database of something else"), error.getMessage());
    }

    @Test
    void garbageBytesAreAClearIOExceptionAtOpen() throws IOException {
        byte[] garbage = new byte[16_384];
        new SplittableRandom(1).nextBytes(garbage);
        Files.write(QueryLogDatabase.file(dir), garbage);

        IOException byWriter = assertThrows(IOException.class,
                () -> SqliteQueryLog.open(dir, TestLogs.config(4, 1)).close());
        IOException byReader = assertThrows(IOException.class, () -> QueryLogReader.open(dir).close());

        for (IOException error : List.of(byWriter, byReader)) {
            assertTrue(error.getMessage().startsWith("query log at " + QueryLogDatabase.file(dir)
                    + " is not an SQLite database"), error.getMessage());
        }
    }

    private void writeSmallRecords(int first, int count) throws IOException {
        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(16, 4))) {
            for (int i = first; i < first + count; i++) {
                log.offer(TestRecords.small(i, NOW));
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = TestLogs.connect(dir); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
