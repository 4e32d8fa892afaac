package dev.specd.serving;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.ModelConfig;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import dev.specd.serving.scheduler.GenerationObserver;
import dev.specd.trainer.online.DraftRegistry;
import dev.specd.verifier.AdaptiveSpeculation;
import dev.specd.verifier.DraftModelDrafter;
import dev.specd.verifier.Drafter;
import dev.specd.verifier.HybridDrafter;
import dev.specd.verifier.MeasuredCost;
import dev.specd.verifier.NgramCache;
import dev.specd.verifier.NgramDrafter;
import dev.specd.verifier.PromptLookup;
import dev.specd.verifier.SpeculativeDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a server runs: the target, the draft (when the drafter uses one), the tokenizer and
 * the speculative decoder over them. Built from a {@link ServerConfig}; the decoder is used by the
 * inference thread only, the tokenizer by any thread. The draft is a version of the draft registry
 * in the data directory (the bundled draft is its v0000) and can be swapped while serving; requests
 * may pin another version.
 */
public final class Engine implements AutoCloseable {

    /** The command that makes the default model pair, named when it is missing. */
    public static final String PRETRAIN_COMMAND = "./specd pretrain";

    /** N-gram sources: prompt lookup over 1..3-grams, and a cross-request cache of 100k contexts. */
    private static final int NGRAM_MIN = 1;
    private static final int NGRAM_MAX = 3;
    private static final int NGRAM_CACHE_ENTRIES = 100_000;
    private static final int NGRAM_CANDIDATES = 4;
    /** The hybrid drafter trusts an n-gram proposal whose first token is accepted with this probability. */
    private static final double HYBRID_MIN_CONFIDENCE = 0.5;
    /** Adaptive γ: start at 4 for 4 steps with every position's acceptance assumed 0.8, probe deeper every 8th step. */
    private static final int INITIAL_GAMMA = 4;
    private static final int WARMUP_STEPS = 4;
    private static final double PRIOR_ACCEPTANCE = 0.8;
    private static final double SMOOTHING = 0.2;
    private static final int EXPLORATION_INTERVAL = 8;
    /** Cost priors (ms) until forwards are measured: fixed, per position, per draft step. */
    private static final double PRIOR_FIXED_MS = 1;
    private static final double PRIOR_PER_POSITION_MS = 0.02;
    private static final double PRIOR_DRAFT_STEP_MS = 0.2;
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final String modelId;
    private final CausalLM target;
    private final Tokenizer tokenizer;
    private final SpeculativeDecoder decoder;
    private final NgramRecorder ngramRecorder;
    private final int contextLength;
    private final DraftLoader draftLoader;
    private final Lock computeLock;
    private final DraftSwap draftSwap;
    private final PinnedDrafts pinnedDrafts;
    private final String drafterKind;
    private final int maxDraftTokens;

    private Engine(String modelId, CausalLM target, Tokenizer tokenizer, SpeculativeDecoder decoder,
            NgramRecorder ngramRecorder, int contextLength, DraftLoader draftLoader, DraftSwap draftSwap,
            PinnedDrafts pinnedDrafts, String drafterKind, int maxDraftTokens, Lock computeLock) {
        this.modelId = modelId;
        this.computeLock = computeLock;
        this.target = target;
        this.tokenizer = tokenizer;
        this.decoder = decoder;
        this.ngramRecorder = ngramRecorder;
        this.contextLength = contextLength;
        this.draftLoader = draftLoader;
        this.draftSwap = draftSwap;
        this.pinnedDrafts = pinnedDrafts;
        this.drafterKind = drafterKind;
        this.maxDraftTokens = maxDraftTokens;
    }

    /**
     * Fails fast, before anything loads, when a checkpoint directory the configuration needs is
     * missing, naming it and the command that creates it.
     */
    public static void checkModelsExist(ServerConfig config) throws IOException {
        checkModelDir(config.targetDir(), "target");
        if (config.usesDraftModel()) {
            checkModelDir(config.draftDir(), "draft");
        }
    }

    public static Engine load(ServerConfig config) throws IOException {
        checkModelsExist(config);
        Device device = Device.fromName(config.device());
        DataType dtype = Transformer.parseComputeType(config.dtype());
        Tokenizer tokenizer = Tokenizer.load(config.targetDir());
        Backend backend = config.backend();
        CausalLM target = backend.load(config.targetDir(), device, dtype);
        Lock computeLock = new ReentrantLock();
        DraftLoader draftLoader = config.usesDraftModel()
                ? new DraftLoader(DraftRegistry.open(config.dataDir()), backend, device, dtype, target.config(), computeLock)
                : null;
        ServingDraft draft = draftLoader == null ? null : draftLoader.startup(config.draftDir());
        int contextLength = draft == null
                ? target.config().contextLength()
                : Math.min(target.config().contextLength(), draft.model().config().contextLength());
        NgramCache ngramCache = new NgramCache(NGRAM_MIN, NGRAM_MAX, NGRAM_CACHE_ENTRIES, NGRAM_CANDIDATES);
        // Under the compute lock wherever it runs (startup, a swap, a pinned version): a drafter
        // allocates its KV cache.
        Function<CausalLM, Drafter> drafterFor = model -> {
            computeLock.lock();
            try {
                return drafter(config, model, ngramCache, contextLength);
            } finally {
                computeLock.unlock();
            }
        };
        Drafter drafter = drafterFor.apply(draft == null ? null : draft.model());
        int minDraftTokens = drafter == null ? 0 : config.minDraftTokens();
        int maxDraftTokens = drafter == null ? 0 : config.maxDraftTokens();
        var speculation = new AdaptiveSpeculation.Config(minDraftTokens, maxDraftTokens,
                Math.clamp(INITIAL_GAMMA, minDraftTokens, maxDraftTokens),
                WARMUP_STEPS, PRIOR_ACCEPTANCE, SMOOTHING, EXPLORATION_INTERVAL);
        SpeculativeDecoder decoder = new SpeculativeDecoder(target,
                target.newCache(config.maxBatch(), contextLength, Long.MAX_VALUE), drafter, speculation,
                tokenizer::decode, new MeasuredCost(PRIOR_FIXED_MS, PRIOR_PER_POSITION_MS, PRIOR_DRAFT_STEP_MS));
        boolean usesNgrams = config.drafter() == ServerConfig.DrafterKind.NGRAM || config.drafter() == ServerConfig.DrafterKind.HYBRID;
        String modelId = config.models().toAbsolutePath().normalize().getFileName().toString();
        LOG.info("serving {} on the {} backend (context {}, {} slots) with drafter {}{}", modelId, backend.option(),
                contextLength, config.maxBatch(),
                config.drafter().name().toLowerCase(Locale.ROOT), draft == null ? "" : ", draft " + draft.version());
        DraftSwap draftSwap = draft == null ? null : new DraftSwap(decoder, draft, drafterFor);
        PinnedDrafts pinnedDrafts = draftSwap == null ? null
                : new PinnedDrafts(draftLoader, draftSwap, decoder, drafterFor, contextLength);
        return new Engine(modelId, target, tokenizer, decoder, usesNgrams ? new NgramRecorder(ngramCache) : null,
                contextLength, draftLoader, draftSwap, pinnedDrafts, config.drafter().name().toLowerCase(Locale.ROOT),
                maxDraftTokens, computeLock);
    }

    private static Drafter drafter(ServerConfig config, CausalLM draft, NgramCache ngramCache, int contextLength) {
        return switch (config.drafter()) {
            case NONE -> null;
            case NGRAM -> ngram(ngramCache);
            case MODEL -> new DraftModelDrafter(draft, draft.newCache(config.maxBatch(), contextLength, Long.MAX_VALUE));
            case HYBRID -> new HybridDrafter(ngram(ngramCache),
                    new DraftModelDrafter(draft, draft.newCache(config.maxBatch(), contextLength, Long.MAX_VALUE)),
                    HYBRID_MIN_CONFIDENCE);
        };
    }

    private static NgramDrafter ngram(NgramCache cache) {
        return new NgramDrafter(new PromptLookup(NGRAM_MIN, NGRAM_MAX), cache);
    }

    /** The served model's id: the name of the models directory. */
    public String modelId() {
        return modelId;
    }

    public SpeculativeDecoder decoder() {
        return decoder;
    }

    /** What learns from served traffic on the inference thread: the n-gram cache, when the drafter uses one. */
    public List<GenerationObserver> observers() {
        return ngramRecorder == null ? List.of() : List.of(ngramRecorder);
    }

    /** The longest prompt + max_tokens a request may ask for. */
    public int contextLength() {
        return contextLength;
    }

    public int vocabSize() {
        return target.config().vocabSize();
    }

    /** Prompt tokens of a text: the model's BOS (when it has one), then the text's tokens. */
    public int[] encodePrompt(String text) {
        int[] tokens = tokenizer.encode(text);
        int bos = target.config().bosTokenId();
        if (bos < 0) {
            return tokens;
        }
        int[] withBos = new int[tokens.length + 1];
        withBos[0] = bos;
        System.arraycopy(tokens, 0, withBos, 1, tokens.length);
        return withBos;
    }

    /** The number of the draft version serving (0 for the pretrained base draft), or -1 without a draft model. */
    public int draftVersion() {
        return draftSwap == null ? -1 : draftSwap.serving().number();
    }

    /** The draft version serving as responses show it ({@code v0003}), or null without a draft model. */
    public String draftVersionLabel() {
        return draftSwap == null ? null : draftSwap.serving().version();
    }

    /**
     * Held around native tensor work on every thread: scheduler iterations and tasks, the online
     * trainer's steps, evaluations and model loads, draft loads and closes. Training and serving
     * share the cores, so a training step never overlaps an iteration. (It was added while chasing
     * a heap corruption that kills the process when the in-process trainer trains beside serving;
     * it does not prevent that crash: see the README's known problems.)
     */
    public Lock computeLock() {
        return computeLock;
    }

    /** Where draft versions come from, and how the serving one is swapped: empty without a draft model. */
    Optional<DraftLoader> draftLoader() {
        return Optional.ofNullable(draftLoader);
    }

    Optional<DraftSwap> draftSwap() {
        return Optional.ofNullable(draftSwap);
    }

    /** The draft versions requests pin: empty without a draft model. */
    Optional<PinnedDrafts> pinnedDrafts() {
        return Optional.ofNullable(pinnedDrafts);
    }

    /** model, ngram, hybrid or none. */
    public String drafterKind() {
        return drafterKind;
    }

    /** The most tokens a request may have drafted per step (0 when there is no drafter). */
    public int maxDraftTokens() {
        return maxDraftTokens;
    }

    @Override
    public void close() {
        if (ngramRecorder != null) {
            ngramRecorder.close();
        }
        decoder.close();
        target.close();
        if (draftSwap != null) {
            draftSwap.close();
            pinnedDrafts.close();
        }
        tokenizer.close();
    }

    /** Fails naming {@code dir}, and the command that makes the default pair, when it holds no checkpoint. */
    public static void checkModelDir(Path dir, String role) throws IOException {
        if (!Files.isRegularFile(dir.resolve(ModelConfig.FILE_NAME))) {
            throw new IOException("no " + role + " model at " + dir.toAbsolutePath() + " (no " + ModelConfig.FILE_NAME
                    + "): create the default pair with '" + PRETRAIN_COMMAND + "', or point --models at a directory "
                    + "holding target/ and draft/ checkpoints");
        }
    }
}
