package dev.specd.querylog;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The query log's tables, versioned with SQLite's {@code user_version}. Each migration brings the schema
 * from version i to i + 1; a new database runs them all.
 */
final class Schema {

    static final String TABLE = "queries";

    /**
     * Small columns come first: SQLite stores the start of a row in the table's b-tree page and the rest in
     * overflow pages, so filtering on them (domain, draft version, time, lengths) never reads the blobs.
     */
    private static final List<String> VERSION_1 = List.of("""
            CREATE TABLE queries (
                id                  INTEGER PRIMARY KEY AUTOINCREMENT,
                created_at          INTEGER NOT NULL,
                request_id          TEXT    NOT NULL,
                endpoint            TEXT    NOT NULL,
                domain              TEXT,
                draft_version       TEXT,
                drafter             TEXT,
                end_user            TEXT,
                prompt_length       INTEGER NOT NULL,
                output_length       INTEGER NOT NULL,
                temperature         REAL    NOT NULL,
                top_k               INTEGER NOT NULL,
                top_p               REAL    NOT NULL,
                seed                INTEGER,
                max_tokens          INTEGER NOT NULL,
                metadata            TEXT,
                prompt_tokens       BLOB    NOT NULL,
                output_tokens       BLOB    NOT NULL,
                drafted_per_step    BLOB    NOT NULL,
                accepted_per_step   BLOB    NOT NULL,
                target_top_logprobs BLOB    NOT NULL
            )""",
            // Age retention and "recent traffic" queries go by creation time.
            "CREATE INDEX queries_created_at ON queries (created_at)");

    /** [i] the statements that bring version i to version i + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(VERSION_1);

    static final int VERSION = MIGRATIONS.size();

    private Schema() {
    }

    /** Brings a database at {@code from} to {@link #VERSION} in one transaction. */
    static void migrate(Connection connection, int from) throws SQLException {
        if (from == VERSION) {
            return;
        }
        Transactions.run(connection, () -> {
            try (Statement statement = connection.createStatement()) {
                for (List<String> migration : MIGRATIONS.subList(from, VERSION)) {
                    for (String sql : migration) {
                        statement.execute(sql);
                    }
                }
                statement.execute("PRAGMA user_version = " + VERSION);
            }
            return null;
        });
    }
}
