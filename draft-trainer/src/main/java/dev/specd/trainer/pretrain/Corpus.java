package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A slice of one domain's documents, split into training and held-out parts.
 *
 * <p>Both the split and the slice come from a hash of each document's name, so they do not depend
 * on the order files are listed in: a document is held out when its hash says so (about
 * {@value #HELD_OUT_ONE_IN} of them), and documents are taken in hash order, a fixed pseudo-random
 * sample across the whole source, until the byte budget is spent. A larger budget takes a superset,
 * and a document never changes sides.
 */
public record Corpus(Provenance provenance, List<String> train, List<String> heldOut) {

    static final int HELD_OUT_ONE_IN = 50;

    public Corpus {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }

    public String domain() {
        return provenance.domain();
    }

    /** UTF-8 bytes of the training documents. */
    public long trainBytes() {
        return utf8Bytes(train);
    }

    public long heldOutBytes() {
        return utf8Bytes(heldOut);
    }

    /**
     * Reads documents of {@code source} until they hold {@code byteBudget} UTF-8 bytes, training
     * and held-out together (the last document may overshoot).
     */
    public static Corpus load(CorpusSource source, long byteBudget) throws IOException {
        try (CorpusSource.Documents documents = source.open()) {
            List<Keyed> order = documents.names().stream()
                    .map(Keyed::of)
                    .sorted(Comparator.comparingLong(Keyed::order).thenComparing(Keyed::name))
                    .toList();
            List<String> train = new ArrayList<>();
            List<String> heldOut = new ArrayList<>();
            long bytes = 0;
            for (Keyed document : order) {
                if (bytes >= byteBudget) {
                    break;
                }
                Optional<String> text = documents.read(document.name());
                if (text.isEmpty() || text.get().isBlank()) {
                    continue;
                }
                bytes += text.get().getBytes(StandardCharsets.UTF_8).length;
                (document.heldOut() ? heldOut : train).add(text.get());
            }
            if (train.isEmpty()) {
                throw new CorpusUnavailableException(source.domain() + ": no usable documents in "
                        + source.provenance().origin());
            }
            return new Corpus(source.provenance(), train, heldOut);
        }
    }

    private static long utf8Bytes(List<String> documents) {
        return documents.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
    }

    private record Keyed(String name, long order, boolean heldOut) {

        static Keyed of(String name) {
            ByteBuffer hash = ByteBuffer.wrap(sha256(name));
            long order = hash.getLong();
            long side = hash.getLong();
            return new Keyed(name, order, Long.remainderUnsigned(side, HELD_OUT_ONE_IN) == 0);
        }

        private static byte[] sha256(String name) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }
}
