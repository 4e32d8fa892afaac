package dev.specd.querylog;

/**
 * Counters of a query log since it was opened.
 *
 * @param written records committed to the log
 * @param dropped records offered but not kept: queue full, log failing or closed
 * @param bytes encoded payload of the written records (token and distribution blobs, text columns);
 *     a monotonic counter like the other two, not the size of the database file
 * @param queued records waiting for the writer right now
 */
public record QueryLogStats(long written, long dropped, long bytes, int queued) {
}
