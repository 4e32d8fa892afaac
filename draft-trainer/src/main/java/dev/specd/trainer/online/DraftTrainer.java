package dev.specd.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.Transformer;
import dev.specd.trainer.AdamW;
import dev.specd.trainer.GradientClipping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The candidate draft and its optimizer. Holds its own float32 copy of the draft's weights
 * (requiring gradients), separate from whatever serving runs, and updates it with AdamW on batches
 * of logged traffic.
 *
 * <p>Every call must come from one thread, the training thread: DJL allows one GradientCollector
 * at a time per process, and PyTorch's autograd mode is per thread. Each step runs in an
 * {@link NDScope}, so native memory stays flat from step to step; only the parameters and AdamW's
 * moments (made with the trainer, in its manager) persist, and {@link #close()} frees them.
 */
public final class DraftTrainer implements AutoCloseable {

    private final ModelConfig config;
    private final TrainerConfig settings;
    private final DistillationLoss loss;
    private final NDManager manager; // owns the parameters and, through the models, their views
    private final Map<String, NDArray> parameters; // float32, requiring gradients
    private final Transformer model; // the training forward over the parameters
    private final Transformer frozen; // the same storage without gradients, for evaluation
    private final AdamW optimizer;
    private final int maxLength;
    private Thread owner;
    private long steps;

    private DraftTrainer(ModelConfig config, NDManager manager, Map<String, NDArray> parameters, TrainerConfig settings) {
        this.config = config;
        this.settings = settings;
        this.loss = new DistillationLoss(settings.loss());
        this.manager = manager;
        this.parameters = parameters;
        this.model = Transformer.fromWeights(config, manager, DataType.FLOAT32, parameters);
        NDManager viewManager = manager.newSubManager();
        Map<String, NDArray> views = new HashMap<>();
        parameters.forEach((name, parameter) -> {
            NDArray view = parameter.stopGradient(); // shares storage: sees every update
            view.attach(viewManager);
            views.put(name, view);
        });
        this.frozen = Transformer.fromWeights(config, viewManager, DataType.FLOAT32, views);
        this.optimizer = AdamW.fresh(manager, parameters, AdamW.Hyperparameters.DEFAULT.withWeightDecay(settings.weightDecay()));
        this.maxLength = Math.min(settings.maxSequenceLength(), config.contextLength());
    }

    /**
     * A trainer starting from the checkpoint in {@code draftDir}. The checkpoint's arrays are
     * memory-mapped read-only, so the parameters are duplicates.
     */
    public static DraftTrainer fromCheckpoint(Path draftDir, Device device, TrainerConfig settings) throws IOException {
        try (Transformer draft = Transformer.load(draftDir, device, DataType.FLOAT32)) {
            NDManager manager = NDManager.newBaseManager(device, "PyTorch");
            Map<String, NDArray> parameters = new HashMap<>();
            draft.weights().forEach((name, weight) -> {
                NDArray parameter = weight.duplicate(); // writable storage of its own
                parameter.attach(manager);
                parameter.setRequiresGradient(true);
                parameters.put(name, parameter);
            });
            return new DraftTrainer(draft.config(), manager, parameters, settings);
        }
    }

    /**
     * One AdamW step on {@code records}: teacher-forced forward, distillation loss, backward,
     * clipping to the global gradient norm, update. Must not run inside a caller's NDScope (the
     * optimizer's moments would be closed with it).
     */
    public StepResult step(List<TrainingRecord> records) {
        checkThread();
        DistillationBatch batch = DistillationBatch.of(records, maxLength);
        if (batch.positions() == 0) {
            return new StepResult(steps, Double.NaN, 0, 0, false);
        }
        double lossValue;
        double norm;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray tokens = manager.create(batch.tokens, new Shape(batch.size, batch.length));
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray value = loss.loss(model.logits(tokens), batch);
                lossValue = value.getFloat();
                if (!Double.isFinite(lossValue)) {
                    return new StepResult(steps, lossValue, Double.NaN, batch.positions(), false);
                }
                collector.backward(value);
            }
            norm = GradientClipping.globalNorm(parameters.values().stream().map(NDArray::getGradient).toList());
            if (!Double.isFinite(norm)) {
                AdamW.zeroGradients(parameters.values());
                return new StepResult(steps, lossValue, norm, batch.positions(), false);
            }
            optimizer.step(parameters, steps + 1, settings.learningRateAt(Math.toIntExact(steps + 1)),
                    GradientClipping.scale(norm, settings.maxGradNorm()));
        }
        steps++;
        return new StepResult(steps, lossValue, norm, batch.positions(), true);
    }

    private void checkThread() {
        if (owner == null) {
            owner = Thread.currentThread();
        } else if (owner != Thread.currentThread()) {
            throw new IllegalStateException("DraftTrainer is used from " + Thread.currentThread().getName()
                    + " but belongs to the training thread " + owner.getName());
        }
    }

    /**
     * The candidate as an inference model: the current parameters without gradients. Valid until
     * {@link #close()}; it changes with every step.
     */
    public Transformer candidate() {
        return frozen;
    }

    /** A snapshot of the current weights by Hugging Face name, for a checkpoint. */
    public SortedMap<String, float[]> weights() {
        SortedMap<String, float[]> snapshot = new TreeMap<>();
        parameters.forEach((name, parameter) -> snapshot.put(name, parameter.toFloatArray()));
        return snapshot;
    }

    public ModelConfig config() {
        return config;
    }

    public TrainerConfig settings() {
        return settings;
    }

    /** Longest token sequence a record contributes: the configured cap within the draft's context. */
    public int maxLength() {
        return maxLength;
    }

    /** Arrays held by the trainer's manager: constant from the second step on unless a step leaks. */
    int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** Updates applied so far. */
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        frozen.close();
        model.close();
    }
}
