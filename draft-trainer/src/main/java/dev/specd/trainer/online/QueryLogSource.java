package dev.specd.trainer.online;

import dev.specd.querylog.QueryLogReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query log of a data directory as a {@link RecordSource}. The trainer may start before serving
 * has logged anything: until the log can be opened, it reads as empty (the reason is logged once)
 * and opening is tried again on the next read.
 */
public final class QueryLogSource implements RecordSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryLogSource.class);

    private final Path dataDir;
    private QueryLogReader reader;
    private String lastProblem;

    public QueryLogSource(Path dataDir) {
        this.dataDir = dataDir;
    }

    @Override
    public synchronized List<TrainingRecord> after(long afterId, int limit) throws IOException {
        QueryLogReader log = reader();
        return log == null ? List.of() : log.after(afterId, limit).stream().map(TrainingRecord::from).toList();
    }

    @Override
    public synchronized long lastId() throws IOException {
        QueryLogReader log = reader();
        return log == null ? 0 : log.lastId();
    }

    private QueryLogReader reader() {
        if (reader == null) {
            try {
                reader = QueryLogReader.open(dataDir);
            } catch (IOException e) {
                if (!e.getMessage().equals(lastProblem)) {
                    LOG.warn("waiting for the query log: {}", e.getMessage());
                    lastProblem = e.getMessage();
                }
            }
        }
        return reader;
    }

    @Override
    public synchronized void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
