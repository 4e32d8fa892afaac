package dev.specd.trainer.online;

import java.util.ArrayList;
import java.util.List;

/** A query log in memory; records may be appended while a trainer reads it. */
final class ListRecordSource implements RecordSource {

    private final List<TrainingRecord> records = new ArrayList<>();

    ListRecordSource(List<TrainingRecord> records) {
        append(records);
    }

    synchronized void append(List<TrainingRecord> more) {
        records.addAll(more);
    }

    @Override
    public synchronized List<TrainingRecord> after(long afterId, int limit) {
        return records.stream().filter(r -> r.id() > afterId).limit(limit).toList();
    }

    @Override
    public synchronized long lastId() {
        return records.stream().mapToLong(TrainingRecord::id).max().orElse(0);
    }

    synchronized List<TrainingRecord> all() {
        return new ArrayList<>(records);
    }
}
