package dev.specd.loadtest;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The test prompt file, shaped like models/heldout.jsonl. */
final class Fixtures {

    static final Sampling SAMPLING = new Sampling(16, 0, null, null);

    private Fixtures() {}

    static Path heldout() {
        try {
            return Path.of(Fixtures.class.getResource("/heldout.jsonl").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
