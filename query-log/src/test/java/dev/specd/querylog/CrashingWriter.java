package dev.specd.querylog;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link CrashSafetyTest}: writes {@link TestRecords#typical} records 0, 1, 2, … as fast
 * as the log takes them and prints {@code written N} after each commit it sees, until it is killed.
 *
 * <p>Arguments: the data directory, and the creation time of record 0 in epoch milliseconds.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        long createdAt = Long.parseLong(args[1]);
        QueryLogConfig config = new QueryLogConfig(64, 20, 1L << 30, Duration.ofDays(7), 8);
        SqliteQueryLog log = SqliteQueryLog.open(dataDir, config);
        long reported = 0;
        for (int i = 0; ; i++) {
            QueryRecord record = TestRecords.typical(i, createdAt + i);
            while (!log.offer(record)) {
                Thread.onSpinWait();
            }
            long written = log.stats().written();
            if (written != reported) {
                System.out.println("written " + written);
                System.out.flush();
                reported = written;
            }
        }
    }
}
