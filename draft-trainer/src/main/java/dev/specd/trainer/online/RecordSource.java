package dev.specd.trainer.online;

import java.io.IOException;
import java.util.List;

/** The log of served requests, read forward by id. The query log in production, a list in tests. */
public interface RecordSource {

    /** Up to {@code limit} records with an id above {@code afterId}, in id order. */
    List<TrainingRecord> after(long afterId, int limit) throws IOException;

    /** The id of the newest record, 0 when the log is empty. */
    long lastId() throws IOException;
}
