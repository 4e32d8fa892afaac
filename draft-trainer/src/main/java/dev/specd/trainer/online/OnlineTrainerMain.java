package dev.specd.trainer.online;

import dev.specd.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;

/**
 * {@code specd train} as a process of its own: the online trainer over the query log of a data
 * directory, publishing drafts to that directory's registry, where serving picks them up.
 */
public final class OnlineTrainerMain {

    /** How long a stop waits for the step in progress. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration STATUS_INTERVAL = Duration.ofMillis(200);

    /**
     * @param config the trainer's settings
     * @param load serving's load; {@link LoadSignal#IDLE} when the trainer has its own machine
     * @param listener told about promotions and rollbacks
     * @param runFor stop after this long; null runs until the process is stopped or the trainer fails
     */
    public record Options(OnlineConfig config, LoadSignal load, DraftListener listener, Duration runFor) {

        /** Defaults, with nothing to yield to: a trainer process with a machine of its own. */
        public static Options defaults() {
            return new Options(OnlineConfig.defaults().withGovernor(GovernorConfig.always()), LoadSignal.IDLE,
                    DraftListener.NONE, null);
        }

        public Options withConfig(OnlineConfig config) {
            return new Options(config, load, listener, runFor);
        }

        public Options withRunFor(Duration runFor) {
            return new Options(config, load, listener, runFor);
        }
    }

    private OnlineTrainerMain() {}

    /**
     * Registers {@code baseDraftDir} as v0000 on first start, checks the serving draft against the
     * target, then trains until {@code runFor} elapses, the calling thread is interrupted, the JVM
     * shuts down (SIGTERM, Ctrl-C) or the trainer fails. A stop lets the step in progress finish.
     *
     * @param targetDir the target's checkpoint directory, or null to skip the compatibility check
     * @return the trainer's last status
     * @throws IllegalArgumentException if the draft does not share the target's tokenizer
     */
    public static OnlineStatus run(Path dataDir, Path baseDraftDir, Path targetDir, Options options)
            throws IOException, InterruptedException {
        DraftRegistry registry = DraftRegistry.open(dataDir);
        DraftVersion current = registry.registerBase(baseDraftDir);
        if (targetDir != null) {
            checkCompatible(current.directory(), targetDir);
        }
        try (QueryLogSource source = new QueryLogSource(dataDir);
                OnlineTrainer trainer = new OnlineTrainer(registry, source, options.load(), options.config(),
                        options.listener())) {
            Thread onShutdown = new Thread(() -> {
                try {
                    trainer.stop(STOP_GRACE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "specd-trainer-shutdown");
            Runtime.getRuntime().addShutdownHook(onShutdown);
            try {
                trainer.start();
                awaitEnd(trainer, options.runFor());
            } finally {
                trainer.stop(STOP_GRACE);
                removeHook(onShutdown);
            }
            return trainer.status();
        }
    }

    private static void awaitEnd(OnlineTrainer trainer, Duration runFor) throws InterruptedException {
        long deadline = runFor == null ? Long.MAX_VALUE : System.nanoTime() + runFor.toNanos();
        EnumSet<OnlineTrainer.State> ended = EnumSet.of(OnlineTrainer.State.STOPPED, OnlineTrainer.State.FAILED);
        while (System.nanoTime() - deadline < 0 && !ended.contains(trainer.status().state())) {
            Thread.sleep(STATUS_INTERVAL);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or has run: it stops the trainer itself.
        }
    }

    /** The draft must read the target's tokens: the same tokenizer.json, or failing those, the same vocabulary size. */
    static void checkCompatible(Path draftDir, Path targetDir) throws IOException {
        Path draftTokenizer = draftDir.resolve(DraftRegistry.TOKENIZER_FILE);
        Path targetTokenizer = targetDir.resolve(DraftRegistry.TOKENIZER_FILE);
        if (Files.isRegularFile(draftTokenizer) && Files.isRegularFile(targetTokenizer)) {
            if (!Arrays.equals(Files.readAllBytes(draftTokenizer), Files.readAllBytes(targetTokenizer))) {
                throw new IllegalArgumentException("the draft in " + draftDir + " does not share the target's tokenizer ("
                        + draftTokenizer + " differs from " + targetTokenizer + ")");
            }
            return;
        }
        int draftVocab = ModelConfig.read(draftDir).vocabSize();
        int targetVocab = ModelConfig.read(targetDir).vocabSize();
        if (draftVocab != targetVocab) {
            throw new IllegalArgumentException("the draft in " + draftDir + " has a vocabulary of " + draftVocab
                    + " tokens, the target in " + targetDir + " " + targetVocab);
        }
    }
}
