package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Opens the query log's SQLite file for the writer or a reader, checking that it is a query log this build understands. */
final class QueryLogDatabase {

    static final String FILE_NAME = "query-log.db";

    /** A reader may meet the writer's WAL checkpoint or crash recovery; waiting beats failing. */
    private static final int BUSY_TIMEOUT_MILLIS = 5_000;

    /** The WAL is truncated back to this after checkpoints, so a burst does not leave a large file behind. */
    private static final int JOURNAL_SIZE_LIMIT_BYTES = 64 << 20;

    private QueryLogDatabase() {
    }

    static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** Opens (creating or migrating as needed) the log in {@code dataDir} for writing. */
    static Connection openForWriting(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = file(dataDir);
        Connection connection = connect(file, false);
        try (Statement statement = connection.createStatement()) {
            int version = checkedVersion(file, statement);
            if (version == 0) {
                // Must precede the first table; lets retention give freed pages back (PRAGMA incremental_vacuum).
                statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
            }
            // WAL: readers (the trainer) never block the writer nor the writer them, and a crashed process
            // leaves a database that recovers to its last commit on the next open.
            try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode = WAL")) {
                if (!mode.next() || !"wal".equalsIgnoreCase(mode.getString(1))) {
                    throw new IOException("query log at " + file + " cannot use write-ahead logging");
                }
            }
            // NORMAL instead of FULL skips the fsync per commit. With WAL this still keeps the database
            // consistent after a process crash, and commits survive it (they are in the OS's page cache);
            // only the last transactions before a power loss or kernel crash may be lost, never consistency.
            statement.execute("PRAGMA synchronous = NORMAL");
            statement.execute("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT_BYTES);
            Schema.migrate(connection, version);
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw failure(file, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** Opens an existing log read-only; it may be written by another connection or process meanwhile. */
    static Connection openForReading(Path dataDir) throws IOException {
        Path file = file(dataDir);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no query log at " + file);
        }
        Connection connection = connect(file, true);
        try (Statement statement = connection.createStatement()) {
            int version = checkedVersion(file, statement);
            if (version == 0) {
                throw new IOException("query log at " + file + " is empty: no writer has created it yet");
            }
            if (version < Schema.VERSION) {
                throw new IOException("query log at " + file + " has schema version " + version + ", older than version "
                        + Schema.VERSION + " of this build; a writer of this build migrates it when it opens the log");
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw failure(file, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private static Connection connect(Path file, boolean readOnly) throws IOException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        try {
            return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        } catch (SQLException e) {
            throw failure(file, e);
        }
    }

    /**
     * The schema version, refusing one newer than this build's and a database that is not a query log.
     * This is also the first read of the file, where a file that is not SQLite at all is found out.
     */
    private static int checkedVersion(Path file, Statement statement) throws SQLException, IOException {
        int version = intPragma(statement, "user_version");
        if (version > Schema.VERSION) {
            throw new IOException("query log at " + file + " has schema version " + version + ", newer than version "
                    + Schema.VERSION + " that this build understands; run a newer specd or move the file away");
        }
        if (version == 0 && hasTables(statement)) {
            throw new IOException("query log at " + file + " is an SQLite database of something else (it has tables"
                    + " but no query log schema version); move it away");
        }
        return version;
    }

    static int intPragma(Statement statement, String pragma) throws SQLException {
        try (ResultSet result = statement.executeQuery("PRAGMA " + pragma)) {
            return result.next() ? result.getInt(1) : 0;
        }
    }

    private static boolean hasTables(Statement statement) throws SQLException {
        try (ResultSet result = statement.executeQuery("SELECT count(*) FROM sqlite_schema")) {
            return result.next() && result.getInt(1) > 0;
        }
    }

    /** An SQLite failure as an IOException that names the file and says what is wrong in words. */
    static IOException failure(Path file, SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException sqlite ? sqlite.getResultCode() : null;
        String problem = switch (code) {
            case SQLITE_NOTADB -> "is not an SQLite database (corrupt, or another kind of file)";
            case SQLITE_CORRUPT -> "is corrupt";
            case SQLITE_FULL -> "cannot grow: the disk is full";
            case SQLITE_CANTOPEN -> "cannot be opened";
            case SQLITE_READONLY -> "is read-only";
            case null, default -> "failed";
        };
        return new IOException("query log at " + file + " " + problem + ": " + e.getMessage(), e);
    }

    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception ignored) {
            // Closing after a failure: the failure is what gets reported.
        }
    }
}
