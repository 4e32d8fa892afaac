package dev.specd.querylog;

import java.sql.SQLException;
import java.sql.Statement;

/** Sizes of an SQLite database as its connection sees them, write-ahead log included. */
final class DatabaseSize {

    private DatabaseSize() {
    }

    /** Pages that hold data (all pages minus the free list), in bytes: what the log's byte budget bounds. */
    static long bytesInUse(Statement statement) throws SQLException {
        return (pages(statement) - freePages(statement)) * pageSize(statement);
    }

    static long pages(Statement statement) throws SQLException {
        return QueryLogDatabase.intPragma(statement, "page_count");
    }

    static long freePages(Statement statement) throws SQLException {
        return QueryLogDatabase.intPragma(statement, "freelist_count");
    }

    static long pageSize(Statement statement) throws SQLException {
        return QueryLogDatabase.intPragma(statement, "page_size");
    }
}
