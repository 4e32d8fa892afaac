package dev.specd.trainer.online;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code manifest.json} of a registered draft version: where it came from, how it evaluated, and
 * the SHA-256 of each of its files, checked before the version is ever loaded.
 *
 * @param version this version's name, {@code vNNNN}
 * @param parent the version it was trained from; null for the base draft v0000
 * @param created ISO-8601 instant of registration
 * @param steps training steps behind it (cumulative over the trainer's run)
 * @param recordsSeen query-log records the trainer had read
 * @param evaluationBefore the parent (serving draft) on the held-out records; null for v0000
 * @param evaluationAfter this version on the same records; null for v0000
 * @param sha256 lower-case hex SHA-256 by file name (config.json, model.safetensors, tokenizer.json)
 */
public record DraftManifest(String version, String parent, String created, long steps, long recordsSeen,
        Evaluation evaluationBefore, Evaluation evaluationAfter, SortedMap<String, String> sha256) {

    public static final String FILE_NAME = "manifest.json";

    public DraftManifest {
        sha256 = sha256 == null ? new TreeMap<>() : new TreeMap<>(sha256);
    }

    @Override
    public SortedMap<String, String> sha256() {
        return new TreeMap<>(sha256);
    }

    /** What a new version records about its origin, before the registry names and hashes it. */
    public record Lineage(String parent, long steps, long recordsSeen, Evaluation before, Evaluation after) {

        /** The base draft: no parent, no training, no evaluation. */
        static final Lineage BASE = new Lineage(null, 0, 0, null, null);

        DraftManifest toManifest(String version, String created, Map<String, String> sha256) {
            return new DraftManifest(version, parent, created, steps, recordsSeen, before, after, new TreeMap<>(sha256));
        }
    }
}
