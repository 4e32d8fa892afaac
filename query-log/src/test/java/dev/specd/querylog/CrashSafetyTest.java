package dev.specd.querylog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A writer process killed with SIGKILL mid-stream leaves a log that is intact and holds every record it committed. */
class CrashSafetyTest {

    private static final int COMMITTED_BEFORE_KILL = 150;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aKilledWriterLeavesAnIntactLogWithEveryCommittedRecord() throws Exception {
        long createdAt = System.currentTimeMillis();
        long committed = runAndKillWriter(createdAt);

        List<StoredQuery> survivors = TestLogs.readAll(dir);
        assertTrue(survivors.size() >= committed,
                survivors.size() + " records survived but the writer had committed " + committed);
        for (StoredQuery stored : survivors) {
            int index = (int) stored.id() - 1;
            assertEquals(TestRecords.typical(index, createdAt + index), stored.record(), "record " + stored.id());
        }
        assertEquals("ok", integrityCheck());

        try (SqliteQueryLog log = SqliteQueryLog.open(dir, TestLogs.config(4, 1))) {
            assertTrue(log.offer(TestRecords.small(0, createdAt)));
        }
        List<StoredQuery> afterRestart = TestLogs.readAll(dir);
        assertEquals(survivors.size() + 1, afterRestart.size());
        assertEquals(survivors.getLast().id() + 1, afterRestart.getLast().id());
        assertEquals(TestRecords.small(0, createdAt), afterRestart.getLast().record());
    }

    /** @return how many records the child reported committed before it was killed */
    private long runAndKillWriter(long createdAt) throws IOException, InterruptedException {
        Path childErrors = dir.resolve("child-stderr.txt");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-Xmx256m",
                        "-cp", System.getProperty("java.class.path"),
                        CrashingWriter.class.getName(),
                        dir.toString(),
                        Long.toString(createdAt))
                .redirectError(childErrors.toFile())
                .start();
        long committed = 0;
        try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                committed = Long.parseLong(line.substring("written ".length()));
                if (committed >= COMMITTED_BEFORE_KILL) {
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        assertTrue(committed >= COMMITTED_BEFORE_KILL,
                "the child stopped early, having committed " + committed + ":\n" + Files.readString(childErrors));
        return committed;
    }

    private String integrityCheck() throws Exception {
        try (Connection connection = TestLogs.connect(dir);
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
            result.next();
            return result.getString(1);
        }
    }
}
