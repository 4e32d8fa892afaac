package dev.specd.querylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Deletes the oldest records: those older than the maximum age, then more while the database's pages in use
 * exceed the byte budget. Deletion is strictly oldest-first and never takes the newest record, so a reader
 * following the log's tail keeps its place.
 */
final class Retention {

    /**
     * Past the budget, records are trimmed to this fraction of it: one larger delete now instead of a small
     * one after every batch. The freed pages are kept for the inserts that follow; only free pages beyond
     * that headroom are given back to the file system.
     */
    private static final double LOW_WATER_MARK = 0.9;

    private final Duration maxAge;
    private final long maxBytes;

    Retention(Duration maxAge, long maxBytes) {
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
    }

    /** @return records deleted */
    int apply(Connection connection, long nowMillis) throws SQLException {
        return Transactions.run(connection, () -> {
            try (Statement statement = connection.createStatement()) {
                int deleted = deleteOlderThan(connection, nowMillis - maxAge.toMillis())
                        + trimToBudget(statement, connection);
                releaseSurplusPages(connection, statement);
                return deleted;
            }
        });
    }

    private static int deleteOlderThan(Connection connection, long cutoffMillis) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + Schema.TABLE
                + " WHERE created_at < ? AND id < (SELECT max(id) FROM " + Schema.TABLE + ")")) {
            delete.setLong(1, cutoffMillis);
            return delete.executeUpdate();
        }
    }

    /**
     * Deletes oldest records until the pages in use fit under the low-water mark. Each round estimates how
     * many rows to delete from the average row size, so it converges in a round or two.
     */
    private int trimToBudget(Statement statement, Connection connection) throws SQLException {
        long used = DatabaseSize.bytesInUse(statement);
        if (used <= maxBytes) {
            return 0;
        }
        long target = (long) (maxBytes * LOW_WATER_MARK);
        int deleted = 0;
        try (PreparedStatement deleteOldest = connection.prepareStatement("DELETE FROM " + Schema.TABLE
                + " WHERE id IN (SELECT id FROM " + Schema.TABLE + " ORDER BY id LIMIT ?)")) {
            long rows = count(statement);
            while (used > target && rows > 1) {
                long bytesPerRow = Math.max(1, used / rows);
                long batch = Math.clamp(Math.ceilDiv(used - target, bytesPerRow), 1, rows - 1);
                deleteOldest.setLong(1, batch);
                int removed = deleteOldest.executeUpdate();
                deleted += removed;
                rows -= removed;
                used = DatabaseSize.bytesInUse(statement);
            }
        }
        return deleted;
    }

    /**
     * Frees file space beyond the headroom that the next inserts will reuse. Each step of
     * {@code incremental_vacuum} frees one page and the driver steps a statement once, so a page count in
     * the pragma would be ignored: one execution per page, inside the retention transaction (about 30 µs each).
     */
    private void releaseSurplusPages(Connection connection, Statement statement) throws SQLException {
        long keep = (long) (maxBytes * (1 - LOW_WATER_MARK)) / DatabaseSize.pageSize(statement);
        long surplus = DatabaseSize.freePages(statement) - keep;
        try (PreparedStatement freeOnePage = connection.prepareStatement("PRAGMA incremental_vacuum(1)")) {
            for (long page = 0; page < surplus; page++) {
                freeOnePage.execute();
            }
        }
    }

    private static long count(Statement statement) throws SQLException {
        try (ResultSet result = statement.executeQuery("SELECT count(*) FROM " + Schema.TABLE)) {
            return result.next() ? result.getLong(1) : 0;
        }
    }
}
