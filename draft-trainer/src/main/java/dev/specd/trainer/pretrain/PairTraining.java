package dev.specd.trainer.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.ModelConfig;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * From prepared text and a trained tokenizer to the shipped pair: tokenizes every domain, trains the
 * target then the draft (resuming from the work directory), writes both as BF16 checkpoints with
 * the tokenizer, scores them on held-out text and writes the model card.
 */
public final class PairTraining {

    /** Kept free of training for evaluation, samples and writing (they take about a minute for the default pair). */
    static final Duration EVALUATION_RESERVE = Duration.ofMinutes(3);
    static final String TARGET_DIR = "default/target";
    static final String DRAFT_DIR = "default/draft";
    /** Steps of the draft timed (after one of warm-up) to set its time aside from the target's budget. */
    private static final int PROBE_STEPS = 4;
    private static final int PROMPT_TOKENS = 16;
    private static final int SAMPLE_TOKENS = 48;

    private PairTraining() {}

    /**
     * @param startNanos {@link System#nanoTime()} when the command started, for the time budget
     */
    public static ModelCard run(PretrainOptions options, List<Corpus> texts, Path tokenizerDir,
            Duration tokenizerTime, long startNanos, Pretrainer.Listener listener) throws IOException {
        Path tokenizerFile = tokenizerDir.resolve(Tokenizer.FILE_NAME);
        try (Tokenizer tokenizer = Tokenizer.load(tokenizerDir)) {
            int endOfText = endOfTextId(tokenizer);
            List<TokenizedDomain> domains = new ArrayList<>();
            List<ModelCard.CorpusStats> corpora = new ArrayList<>();
            for (Corpus text : texts) {
                TokenizedDomain domain = TokenizedDomain.of(text, tokenizer, tokenizerFile, endOfText,
                        options.workDir().resolve("tokens"));
                checkVocabulary(domain, options.vocabSize());
                domains.add(domain);
                corpora.add(ModelCard.CorpusStats.of(text, domain));
            }
            ModelConfig targetConfig = options.target().config(options.vocabSize(), endOfText);
            ModelConfig draftConfig = options.draft().config(options.vocabSize(), endOfText);
            TrainingPlan targetPlan = options.targetPlan();
            TrainingPlan draftPlan = options.draftPlan();

            Duration targetBudget = null;
            if (options.timeBudget() != null) {
                // The target trains first and gets its share of the budget, in proportion to the time
                // both plans take here, timed now: a slow or busy machine shrinks both plans alike
                // instead of starving the one that trains first. The draft gets whatever is left.
                targetBudget = targetShare(trainingBudget(options, startNanos), plannedMillis(targetConfig, targetPlan),
                        plannedMillis(draftConfig, draftPlan));
            }
            Pretrainer.Result target = Pretrainer.train("target", targetConfig, targetPlan,
                    new TokenStream(domains, targetPlan.domainWeights(), targetPlan.seed()),
                    options.workDir().resolve("target"), targetBudget, listener);
            Pretrainer.Result draft = Pretrainer.train("draft", draftConfig, draftPlan,
                    new TokenStream(domains, draftPlan.domainWeights(), draftPlan.seed()),
                    options.workDir().resolve("draft"), trainingBudget(options, startNanos), listener);

            Path targetDir = options.outDir().resolve(TARGET_DIR);
            Path draftDir = options.outDir().resolve(DRAFT_DIR);
            writeModel(targetDir, target, tokenizerDir);
            writeModel(draftDir, draft, tokenizerDir);

            List<HeldOutEvaluation.DomainResult> evaluation;
            List<TextSamples.Sample> samples = new ArrayList<>();
            try (Transformer shippedTarget = Transformer.load(targetDir, Device.cpu(), DataType.FLOAT32);
                    Transformer shippedDraft = Transformer.load(draftDir, Device.cpu(), DataType.FLOAT32)) {
                evaluation = HeldOutEvaluation.evaluate(shippedTarget, shippedDraft, domains,
                        PretrainOptions.EVALUATION_WINDOWS, options.sequenceLength());
                for (TokenizedDomain domain : domains) {
                    samples.addAll(TextSamples.generate(shippedTarget, tokenizer, domain,
                            PretrainOptions.SAMPLES_PER_DOMAIN, PROMPT_TOKENS, SAMPLE_TOKENS, options.seed()));
                }
            }
            ModelCard card = new ModelCard(options.commandLine(), options.vocabSize(), tokenizerTime, corpora,
                    new ModelCard.TrainedModel("target", TARGET_DIR, targetConfig, targetPlan, target,
                            Files.size(targetDir.resolve(SafetensorsReader.SINGLE_FILE))),
                    new ModelCard.TrainedModel("draft", DRAFT_DIR, draftConfig, draftPlan, draft,
                            Files.size(draftDir.resolve(SafetensorsReader.SINGLE_FILE))),
                    evaluation, samples, Duration.ofNanos(System.nanoTime() - startNanos), machine());
            card.write(options.outDir());
            return card;
        }
    }

    /**
     * The id the tokenizer gives the end-of-text token, which must be a single special token: it
     * separates documents in the token streams and is BOS and EOS of both models.
     */
    static int endOfTextId(Tokenizer tokenizer) {
        String endOfText = SpecialTokens.DEFAULT.endOfText();
        int[] ids = tokenizer.encode(endOfText);
        if (ids.length != 1) {
            throw new IllegalArgumentException("the tokenizer has no single token for " + endOfText);
        }
        return ids[0];
    }

    private static void checkVocabulary(TokenizedDomain domain, int vocabSize) {
        for (int[] stream : new int[][] {domain.train(), domain.heldOut()}) {
            for (int id : stream) {
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException(domain.domain() + ": token id " + id
                            + " outside the vocabulary of " + vocabSize + "; the tokenizer does not match --vocab");
                }
            }
        }
    }

    /** The target's part of {@code budget}: in proportion to the two plans' measured durations. */
    static Duration targetShare(Duration budget, double targetMillis, double draftMillis) {
        return Duration.ofMillis((long) (budget.toMillis() * targetMillis / (targetMillis + draftMillis)));
    }

    /** How long {@code plan} takes for a model of this configuration on this machine, from a few timed steps. */
    private static double plannedMillis(ModelConfig config, TrainingPlan plan) throws IOException {
        return StepTimeBenchmark.measure(config, plan.batchSize(), plan.sequenceLength(), 1 + PROBE_STEPS).millisPerStep()
                * plan.steps();
    }

    /** What is left of the time budget once evaluation is set aside; null without a budget. */
    private static Duration trainingBudget(PretrainOptions options, long startNanos) {
        if (options.timeBudget() == null) {
            return null;
        }
        Duration left = options.timeBudget().minus(Duration.ofNanos(System.nanoTime() - startNanos))
                .minus(EVALUATION_RESERVE);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Replaces {@code dir} with the BF16 checkpoint and every file of the tokenizer directory. */
    private static void writeModel(Path dir, Pretrainer.Result result, Path tokenizerDir) throws IOException {
        Path staging = dir.resolveSibling(dir.getFileName() + ".tmp");
        deleteRecursively(staging);
        LlamaWeights.write(staging, result.config(), result.weights(), DType.BF16);
        try (Stream<Path> files = Files.list(tokenizerDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, staging.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        deleteRecursively(dir);
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String machine() {
        String cpu = "";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim() + ", ").orElse("");
        } catch (IOException | RuntimeException e) {
            // Not Linux: the core count and architecture still describe the machine.
        }
        return cpu + Runtime.getRuntime().availableProcessors() + " cores (" + System.getProperty("os.arch")
                + "), Java " + System.getProperty("java.version");
    }
}
