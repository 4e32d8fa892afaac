package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query log in an SQLite file, {@code dataDir/query-log.db}. Serving threads {@link #offer} records into
 * a bounded queue; one daemon writer thread commits them in batches of up to {@link QueryLogConfig#batchSize()}
 * per transaction and applies retention. Committed records survive a crash of the process; those still queued
 * do not. {@link #close()} waits up to 10 seconds for the queue to drain.
 */
public final class SqliteQueryLog implements QueryLog {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteQueryLog.class);

    private final BlockingQueue<QueryRecord> queue;
    private final QueryLogCounters counters = new QueryLogCounters();
    private final QueryLogWriter writer;
    private final Thread writerThread;
    private final WriterSettings settings;

    private SqliteQueryLog(Path dataDir, WriteSession session, QueryLogConfig config, WriterSettings settings) {
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.settings = settings;
        this.writer = new QueryLogWriter(dataDir, session, queue, config, settings, counters);
        this.writerThread = Thread.ofPlatform().name("query-log-writer").daemon().unstarted(writer);
    }

    /**
     * Opens the log in {@code dataDir} (created if missing), migrating an older schema, and starts its writer.
     *
     * @throws IOException if the file is not a query log, has a newer schema, or cannot be opened
     */
    public static SqliteQueryLog open(Path dataDir, QueryLogConfig config) throws IOException {
        return open(dataDir, config, WriterSettings.defaults());
    }

    static SqliteQueryLog open(Path dataDir, QueryLogConfig config, WriterSettings settings) throws IOException {
        SqliteQueryLog log = new SqliteQueryLog(dataDir, WriteSession.open(dataDir, settings.hooks()), config, settings);
        log.writerThread.start();
        return log;
    }

    @Override
    public boolean offer(QueryRecord record) {
        if (record == null || !writer.accepting() || !queue.offer(record)) {
            counters.dropped(1);
            return false;
        }
        // The writer may have finished between the check and the enqueue; whoever takes the record out counts it.
        if (writer.finished() && queue.remove(record)) {
            counters.dropped(1);
            return false;
        }
        return true;
    }

    @Override
    public QueryLogStats stats() {
        return counters.snapshot(queue.size());
    }

    @Override
    public void close() {
        if (!writer.requestClose()) {
            return;
        }
        writerThread.interrupt();
        try {
            writerThread.join(settings.closeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writerThread.isAlive()) {
            writer.abandon();
            LOG.warn("Query log did not drain within {}; the {} records still queued are dropped",
                    settings.closeTimeout(), queue.size());
        }
    }
}
