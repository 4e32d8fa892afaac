package dev.specd.trainer.pretrain;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One domain's documents as the trainer sees them: a training part and a held-out part, each a list
 * of whole documents, plus where they came from (for the model card).
 *
 * @param origin what the text is and where it was found
 * @param license the terms the text is under (SPDX where one applies)
 */
public record DomainText(String domain, List<String> train, List<String> heldOut, String origin, String license) {

    public DomainText {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
        if (train.isEmpty() || heldOut.isEmpty()) {
            throw new IllegalArgumentException(domain + ": needs training and held-out documents, got "
                    + train.size() + " and " + heldOut.size());
        }
    }

    public long trainBytes() {
        return utf8Bytes(train);
    }

    public long heldOutBytes() {
        return utf8Bytes(heldOut);
    }

    private static long utf8Bytes(List<String> documents) {
        return documents.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
    }
}
