package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the query log, read-only, while a writer (in this process or another) may be appending: WAL mode
 * gives every query a consistent snapshot of committed records without blocking the writer. Follow the log
 * with {@code after(lastSeenId, n)}; ids only grow. Thread-safe.
 */
public final class QueryLogReader implements AutoCloseable {

    private final Path file;
    private final Connection connection;
    private final PreparedStatement after;
    private final PreparedStatement lastId;

    private QueryLogReader(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.after = connection.prepareStatement(
                "SELECT " + RecordCodec.COLUMNS + " FROM " + Schema.TABLE + " WHERE id > ? ORDER BY id LIMIT ?");
        this.lastId = connection.prepareStatement("SELECT coalesce(max(id), 0) FROM " + Schema.TABLE);
    }

    /** @throws IOException if there is no log in {@code dataDir}, or it is corrupt or of another schema version */
    public static QueryLogReader open(Path dataDir) throws IOException {
        Connection connection = QueryLogDatabase.openForReading(dataDir);
        try {
            return new QueryLogReader(QueryLogDatabase.file(dataDir), connection);
        } catch (SQLException e) {
            QueryLogDatabase.closeQuietly(connection);
            throw QueryLogDatabase.failure(QueryLogDatabase.file(dataDir), e);
        }
    }

    /**
     * Records with id > the given id, ascending, at most {@code limit}.
     *
     * @throws IOException if the database fails or a record does not decode
     */
    public synchronized List<StoredQuery> after(long id, int limit) throws IOException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        try {
            after.setLong(1, id);
            after.setInt(2, limit);
            List<StoredQuery> records = new ArrayList<>();
            try (ResultSet rows = after.executeQuery()) {
                while (rows.next()) {
                    records.add(RecordCodec.decode(rows));
                }
            }
            return records;
        } catch (SQLException e) {
            throw QueryLogDatabase.failure(file, e);
        }
    }

    /** The id of the newest record, or 0 when the log holds none. */
    public synchronized long lastId() throws IOException {
        try (ResultSet result = lastId.executeQuery()) {
            return result.next() ? result.getLong(1) : 0;
        } catch (SQLException e) {
            throw QueryLogDatabase.failure(file, e);
        }
    }

    @Override
    public synchronized void close() {
        QueryLogDatabase.closeQuietly(after);
        QueryLogDatabase.closeQuietly(lastId);
        QueryLogDatabase.closeQuietly(connection);
    }
}
