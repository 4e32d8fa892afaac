package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** The writer's connection to the log file and its prepared insert; used by one thread at a time. */
final class WriteSession implements AutoCloseable {

    private final Connection connection;
    private final PreparedStatement insert;

    private WriteSession(Connection connection, PreparedStatement insert) {
        this.connection = connection;
        this.insert = insert;
    }

    static WriteSession open(Path dataDir, WriterHooks hooks) throws IOException {
        Connection connection = QueryLogDatabase.openForWriting(dataDir);
        try {
            hooks.connectionOpened(connection);
            return new WriteSession(connection, connection.prepareStatement(RecordCodec.INSERT));
        } catch (SQLException e) {
            QueryLogDatabase.closeQuietly(connection);
            throw QueryLogDatabase.failure(QueryLogDatabase.file(dataDir), e);
        }
    }

    /**
     * Commits the records in one transaction: all of them or, on failure, none.
     *
     * @return their payload bytes
     */
    long insert(List<QueryRecord> records) throws SQLException {
        return Transactions.run(connection, () -> {
            long bytes = 0;
            for (QueryRecord record : records) {
                bytes += RecordCodec.bind(insert, record);
                insert.addBatch();
            }
            insert.executeBatch();
            return bytes;
        });
    }

    /** @return records deleted */
    int retain(Retention retention, long nowMillis) throws SQLException {
        return retention.apply(connection, nowMillis);
    }

    @Override
    public void close() {
        QueryLogDatabase.closeQuietly(insert);
        QueryLogDatabase.closeQuietly(connection);
    }
}
