package dev.specd.querylog;

import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link QueryLogStats}: drops come from any serving thread, writes only from the writer. */
final class QueryLogCounters {

    private final LongAdder dropped = new LongAdder();
    private volatile long written;
    private volatile long bytes;

    void dropped(long records) {
        dropped.add(records);
    }

    /** Called by the writer thread only, which makes the unsynchronized increments safe. */
    void written(int records, long payloadBytes) {
        written += records;
        bytes += payloadBytes;
    }

    QueryLogStats snapshot(int queued) {
        return new QueryLogStats(written, dropped.sum(), bytes, queued);
    }
}
