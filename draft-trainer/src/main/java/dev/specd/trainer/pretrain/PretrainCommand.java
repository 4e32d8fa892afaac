package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./specd pretrain}: makes the default model pair under {@code models/} from text on this
 * machine. Loads a slice of each corpus domain, trains the byte-level BPE tokenizer, trains the
 * target and then the draft, writes both with the tokenizer as BF16 Hugging Face checkpoints, and
 * generates {@code models/README.md} with the evaluation. Progress goes to stderr.
 *
 * <p>Run it with {@code ./specd pretrain [flags]} (flags in {@link PretrainOptions}), or with the
 * defaults straight from a build: {@code java -cp <class path> dev.specd.trainer.pretrain.PretrainCommand}.
 * Everything intermediate lives in the work directory: run the same command again after an
 * interruption and it continues from the last checkpoint.
 */
public final class PretrainCommand {

    private PretrainCommand() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            System.err.println("usage: PretrainCommand (no arguments: the defaults; flags via ./specd pretrain)");
            System.exit(2);
        }
        run(PretrainOptions.defaults());
    }

    public static ModelCard run(PretrainOptions options) throws IOException {
        long start = System.nanoTime();
        PrintStream log = System.err;
        List<CorpusSource> sources = new ArrayList<>();
        for (String domain : options.domains()) {
            sources.add(CorpusSources.defaults(options.workDir().resolve("cache")).stream()
                    .filter(source -> source.domain().equals(domain))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown domain " + domain + "; known: "
                            + CorpusSources.defaults(Path.of(".")).stream().map(CorpusSource::domain).toList())));
        }
        List<Corpus> corpora = CorpusSources.loadAvailable(sources, options.bytesPerDomain(),
                (domain, why) -> log.println("pretrain: skipping " + domain + ": " + why.getMessage()));
        PretrainOptions effective = options.withDomains(corpora.stream().map(Corpus::domain).toList());
        for (Corpus corpus : corpora) {
            log.printf(Locale.ROOT, "pretrain: %-8s %,d documents, %,d bytes (%,d held out)%n", corpus.domain(),
                    corpus.train().size() + corpus.heldOut().size(), corpus.trainBytes() + corpus.heldOutBytes(),
                    corpus.heldOutBytes());
        }
        Path tokenizerDir = effective.workDir().resolve("tokenizer");
        Duration tokenizerTime = trainTokenizer(effective, corpora, tokenizerDir, log);
        ModelCard card = PairTraining.run(effective, corpora, tokenizerDir, tokenizerTime, start,
                ProgressBar.onStandardError());
        HeldOutWorkload.write(corpora, effective.outDir().resolve(HeldOutWorkload.FILE_NAME), effective.seed());
        log.printf(Locale.ROOT, "pretrain: wrote %s and %s in %.1f min%n",
                effective.outDir().resolve(PairTraining.TARGET_DIR), effective.outDir().resolve(ModelCard.FILE_NAME),
                (System.nanoTime() - start) / 6e10);
        return card;
    }

    /**
     * Learns the tokenizer from every domain's training part into {@code dir}, or keeps the one an
     * earlier run with the same vocabulary and corpora left there. Returns the time spent.
     */
    static Duration trainTokenizer(PretrainOptions options, List<Corpus> corpora, Path dir, PrintStream log)
            throws IOException {
        StringBuilder stamp = new StringBuilder("vocab " + options.vocabSize() + "\n");
        corpora.forEach(c -> stamp.append(c.domain()).append(' ').append(c.train().size()).append(' ')
                .append(c.trainBytes()).append('\n'));
        Path stampFile = dir.resolveSibling(dir.getFileName() + "-trained-on.txt"); // not in dir: models copy all of dir
        if (Files.isRegularFile(stampFile) && Files.readString(stampFile).contentEquals(stamp)) {
            log.println("pretrain: reusing the tokenizer in " + dir);
            return Duration.ZERO;
        }
        log.println("pretrain: training a " + options.vocabSize() + "-token BPE tokenizer");
        long start = System.nanoTime();
        List<String> documents = corpora.stream().flatMap(c -> c.train().stream()).toList();
        BpeTokenizerModel tokenizer = BpeTrainer.train(documents, options.vocabSize(), SpecialTokens.DEFAULT);
        if (tokenizer.vocabSize() != options.vocabSize()) {
            throw new IllegalStateException("the corpora only support " + tokenizer.vocabSize()
                    + " tokens; lower --vocab or raise --bytes-per-domain");
        }
        Files.deleteIfExists(stampFile);
        PairTraining.deleteRecursively(dir);
        tokenizer.writeHuggingFace(dir, Math.max(options.target().contextLength(), options.draft().contextLength()));
        Files.writeString(stampFile, stamp, StandardCharsets.UTF_8);
        Duration spent = Duration.ofNanos(System.nanoTime() - start);
        log.printf(Locale.ROOT, "pretrain: tokenizer trained in %.1f min%n", spent.toSeconds() / 60.0);
        return spent;
    }
}
