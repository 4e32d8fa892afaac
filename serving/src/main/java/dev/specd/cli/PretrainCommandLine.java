package dev.specd.cli;

import dev.specd.trainer.pretrain.Architecture;
import dev.specd.trainer.pretrain.PretrainCommand;
import dev.specd.trainer.pretrain.PretrainOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./specd pretrain}: the flags of {@link PretrainOptions}, defaulting to {@link PretrainOptions#defaults()}. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Make the default model pair (tokenizer, target, draft) under models/ from text on this machine. "
                + "Resumes from its work directory when interrupted.")
final class PretrainCommandLine implements Callable<Integer> {

    private static final PretrainOptions DEFAULTS = PretrainOptions.defaults();

    @Option(names = "--out", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path outDir = DEFAULTS.outDir();

    @Option(names = "--work", description = "Caches and checkpoints (default ${DEFAULT-VALUE}).")
    Path workDir = DEFAULTS.workDir();

    @Option(names = "--vocab", description = "Tokenizer vocabulary size (default ${DEFAULT-VALUE}).")
    int vocabSize = DEFAULTS.vocabSize();

    @Option(names = "--target", description = "Target shape, hidden=…,layers=…,heads=…,kv=…,ffn=…,context=…,tied=… (default ${DEFAULT-VALUE}).")
    String target = DEFAULTS.target().spec();

    @Option(names = "--draft", description = "Draft shape (default ${DEFAULT-VALUE}).")
    String draft = DEFAULTS.draft().spec();

    @Option(names = "--target-steps", description = "Target optimizer steps (default ${DEFAULT-VALUE}).")
    int targetSteps = DEFAULTS.targetSteps();

    @Option(names = "--draft-steps", description = "Draft optimizer steps (default ${DEFAULT-VALUE}).")
    int draftSteps = DEFAULTS.draftSteps();

    @Option(names = "--batch", description = "Windows per step (default ${DEFAULT-VALUE}).")
    int batchSize = DEFAULTS.batchSize();

    @Option(names = "--seq-len", description = "Tokens per window (default ${DEFAULT-VALUE}).")
    int sequenceLength = DEFAULTS.sequenceLength();

    @Option(names = "--lr", description = "Target peak learning rate (default ${DEFAULT-VALUE}).")
    double learningRate = DEFAULTS.learningRate();

    @Option(names = "--draft-lr", description = "Draft peak learning rate (default ${DEFAULT-VALUE}).")
    double draftLearningRate = DEFAULTS.draftLearningRate();

    @Option(names = "--seed", description = "Seed for weights, batches and samples (default ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--domains", split = ",", description = "Corpus domains for the tokenizer and target (default ${DEFAULT-VALUE}).")
    List<String> domains = DEFAULTS.domains();

    @Option(names = "--draft-domains", split = ",", description = "The draft's domains, a subset (default ${DEFAULT-VALUE}).")
    List<String> draftDomains = DEFAULTS.draftDomains();

    @Option(names = "--bytes-per-domain", description = "Corpus bytes read per domain (default ${DEFAULT-VALUE}).")
    long bytesPerDomain = DEFAULTS.bytesPerDomain();

    @Option(names = "--time-budget", description = "Wall-clock budget in minutes, or none (default ${DEFAULT-VALUE}).")
    String timeBudget = DEFAULTS.timeBudget() == null ? "none" : Long.toString(DEFAULTS.timeBudget().toMinutes());

    @Override
    public Integer call() throws Exception {
        PretrainCommand.run(new PretrainOptions(outDir, workDir, vocabSize, Architecture.parse(target),
                Architecture.parse(draft), targetSteps, draftSteps, batchSize, sequenceLength, learningRate,
                draftLearningRate, seed, domains, draftDomains, bytesPerDomain,
                timeBudget.equals("none") ? null : Duration.ofMinutes(Long.parseLong(timeBudget))));
        return 0;
    }
}
