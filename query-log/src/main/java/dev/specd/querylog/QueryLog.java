package dev.specd.querylog;

/**
 * Where serving hands the records of what it served. Implementations keep the promise that logging costs
 * the hot path nearly nothing: {@link #offer} only enqueues, and a record that cannot be kept is dropped
 * and counted rather than slowing or failing a request.
 */
public interface QueryLog extends AutoCloseable {

    /** Never blocks: false (and counted as dropped) when the queue is full or the log is closed/failed. */
    boolean offer(QueryRecord record);

    QueryLogStats stats();

    /** Drains what is queued (bounded wait), then closes; what is still queued after the wait is dropped and counted. */
    @Override
    void close();
}
