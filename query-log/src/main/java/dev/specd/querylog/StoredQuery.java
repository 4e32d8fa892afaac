package dev.specd.querylog;

/**
 * A record as the log holds it.
 *
 * @param id position in the log: ascending in commit order, never reused, even after retention deletes
 */
public record StoredQuery(long id, QueryRecord record) {
}
