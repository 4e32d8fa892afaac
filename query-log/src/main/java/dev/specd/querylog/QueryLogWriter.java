package dev.specd.querylog;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the log's one writer thread: takes records off the queue in batches, commits each batch in
 * one transaction, and runs retention now and then. A failing database never reaches the producers: the
 * writer drops and counts what it cannot write, refuses new records, reports the failure once, and reopens
 * the database every retry interval until writing works again.
 *
 * <p>{@link Thread#interrupt()} only wakes this thread to look at its flags again (close); it is not a
 * request to stop.
 */
final class QueryLogWriter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryLogWriter.class);

    private final Path dataDir;
    private final BlockingQueue<QueryRecord> queue;
    private final int batchSize;
    private final Retention retention;
    private final WriterSettings settings;
    private final QueryLogCounters counters;
    private final List<QueryRecord> batch;

    /** Null while failing: the broken connection is closed and a new one is opened on the next retry. */
    private WriteSession session;
    private volatile boolean failing;
    private volatile boolean closing;
    private volatile boolean abandoned;
    private volatile boolean finished;
    /** Whether the current failure has been logged; cleared by the next successful commit. */
    private boolean failureReported;
    private boolean retentionFailureReported;
    private int batchesSinceRetention;
    private long lastRetentionNanos;

    QueryLogWriter(Path dataDir, WriteSession session, BlockingQueue<QueryRecord> queue, QueryLogConfig config,
            WriterSettings settings, QueryLogCounters counters) {
        this.dataDir = dataDir;
        this.session = session;
        this.queue = queue;
        this.batchSize = config.batchSize();
        this.retention = new Retention(config.maxAge(), config.maxBytes());
        this.settings = settings;
        this.counters = counters;
        this.batch = new ArrayList<>(config.batchSize());
    }

    /** Whether offers may enqueue: not failing, closing or finished. */
    boolean accepting() {
        return !failing && !closing && !finished;
    }

    /** Whether the thread has ended; anything queued from now on is never written. */
    boolean finished() {
        return finished;
    }

    /** @return false when close was already requested */
    synchronized boolean requestClose() {
        if (closing) {
            return false;
        }
        closing = true;
        return true;
    }

    /** Stop after the current batch and drop what is still queued: close's wait has run out. */
    void abandon() {
        abandoned = true;
    }

    @Override
    public void run() {
        try {
            // The log may have sat closed for longer than its maximum age.
            runRetention();
            while (!abandoned && (!closing || !queue.isEmpty())) {
                if (session == null) {
                    if (closing) {
                        break;
                    }
                    awaitRetry();
                    reopen();
                    continue;
                }
                QueryRecord first = nextRecord();
                if (first != null) {
                    writeBatch(first);
                }
                if (retentionDue()) {
                    runRetention();
                }
            }
        } finally {
            finished = true;
            counters.dropped(drainQueue());
            if (session != null) {
                session.close();
            }
        }
    }

    private QueryRecord nextRecord() {
        long waitNanos = settings.retentionInterval().toNanos() - (System.nanoTime() - lastRetentionNanos);
        try {
            return queue.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException wakeUp) {
            return null;
        }
    }

    private void writeBatch(QueryRecord first) {
        batch.add(first);
        queue.drainTo(batch, batchSize - 1);
        try {
            settings.hooks().batchTaken(batch.size());
            long bytes = session.insert(batch);
            counters.written(batch.size(), bytes);
            batchesSinceRetention++;
            if (failureReported) {
                LOG.info("Query log at {} is writing again", QueryLogDatabase.file(dataDir));
                failureReported = false;
            }
        } catch (SQLException | RuntimeException e) {
            // Whatever the cause, this thread must live on: a dead writer would stop the log silently.
            fail(batch.size(), QueryLogDatabase.failure(QueryLogDatabase.file(dataDir), asSqlException(e)));
        } finally {
            batch.clear();
        }
    }

    private void fail(int lostRecords, IOException cause) {
        failing = true;
        counters.dropped(lostRecords + drainQueue());
        session.close();
        session = null;
        if (failureReported) {
            LOG.debug("Query log still failing", cause);
        } else {
            LOG.error("Query log stopped writing; records are dropped and counted until it recovers, retrying every {}",
                    settings.retryInterval(), cause);
            failureReported = true;
        }
    }

    private void awaitRetry() {
        try {
            Thread.sleep(settings.retryInterval());
        } catch (InterruptedException wakeUp) {
            // Close wants the thread: the loop sees the flag.
        }
    }

    private void reopen() {
        if (closing) {
            return;
        }
        try {
            session = WriteSession.open(dataDir, settings.hooks());
            failing = false;
        } catch (IOException e) {
            LOG.debug("Query log cannot be reopened yet", e);
        }
    }

    private boolean retentionDue() {
        return batchesSinceRetention >= settings.retentionEveryBatches()
                || System.nanoTime() - lastRetentionNanos >= settings.retentionInterval().toNanos();
    }

    private void runRetention() {
        batchesSinceRetention = 0;
        lastRetentionNanos = System.nanoTime();
        if (session == null) {
            return;
        }
        try {
            int deleted = session.retain(retention, System.currentTimeMillis());
            LOG.debug("Query log retention deleted {} records", deleted);
            retentionFailureReported = false;
        } catch (SQLException | RuntimeException e) {
            // Not fatal: the log keeps writing, only above its budget until retention works again.
            if (!retentionFailureReported) {
                LOG.warn("Query log retention failed; the log may grow past its limits meanwhile", e);
                retentionFailureReported = true;
            }
        }
    }

    private int drainQueue() {
        List<QueryRecord> unwritten = new ArrayList<>();
        queue.drainTo(unwritten);
        return unwritten.size();
    }

    private static SQLException asSqlException(Exception e) {
        return e instanceof SQLException sql ? sql : new SQLException(e.toString(), e);
    }
}
