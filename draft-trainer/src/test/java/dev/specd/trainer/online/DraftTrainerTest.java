package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DraftTrainerTest {

    @TempDir
    static Path dir;
    static Path draft;
    static List<TrainingRecord> batch;

    @BeforeAll
    static void traffic() throws IOException {
        Path target = TinyModels.writeTarget(dir.resolve("target"), 1);
        draft = TinyModels.writeDraft(dir.resolve("draft"), 2);
        try (Transformer model = TinyModels.load(target)) {
            batch = TinyModels.sample(model, "code", 2, TinyModels.VOCAB, 8, 12, 1, 4);
        }
    }

    private static TrainerConfig settings() {
        return TrainerConfig.defaults().withLearningRate(3e-3, 5);
    }

    @Test
    void stepsKeepNativeMemoryFlatAndLowerTheLoss() throws IOException {
        try (DraftTrainer trainer = DraftTrainer.fromCheckpoint(draft, Device.cpu(), settings())) {
            StepResult first = trainer.step(batch);
            int live = trainer.liveArrays();
            StepResult last = first;
            for (int i = 0; i < 30; i++) {
                last = trainer.step(batch);
                assertEquals(live, trainer.liveArrays(), "step " + last.step());
            }
            assertEquals(31, trainer.steps());
            assertEquals(8 * 12, last.positions());
            assertTrue(last.loss() < first.loss() * 0.8, first.loss() + " -> " + last.loss());
        }
    }

    @Test
    void trainsACopyTheCheckpointDoesNotSee() throws IOException {
        try (DraftTrainer trainer = DraftTrainer.fromCheckpoint(draft, Device.cpu(), settings());
                Transformer serving = TinyModels.load(draft)) {
            float[] before = serving.weights().get(LlamaWeights.EMBED).toFloatArray();
            trainer.step(batch);
            trainer.step(batch);
            assertArrayEquals(before, serving.weights().get(LlamaWeights.EMBED).toFloatArray());
            float[] trained = trainer.weights().get(LlamaWeights.EMBED);
            assertFalse(java.util.Arrays.equals(before, trained));
            assertArrayEquals(trained, trainer.candidate().weights().get(LlamaWeights.EMBED).toFloatArray(),
                    "the candidate view shares the trained storage");
        }
    }

    @Test
    void aNonFiniteLossChangesNothing() throws IOException {
        SortedMap<String, float[]> weights = LlamaWeights.initialise(TinyModels.draft(), 3, 0.3);
        weights.get(LlamaWeights.FINAL_NORM)[0] = Float.NaN;
        Path broken = dir.resolve("nan");
        LlamaWeights.write(broken, TinyModels.draft(), weights, DType.F32);
        try (DraftTrainer trainer = DraftTrainer.fromCheckpoint(broken, Device.cpu(), settings())) {
            StepResult result = trainer.step(batch);
            assertFalse(result.applied());
            assertTrue(Double.isNaN(result.loss()));
            assertEquals(0, trainer.steps());
            assertArrayEquals(weights.get(LlamaWeights.EMBED), trainer.weights().get(LlamaWeights.EMBED));
        }
    }

    @Test
    void belongsToOneThread() throws Exception {
        try (DraftTrainer trainer = DraftTrainer.fromCheckpoint(draft, Device.cpu(), settings())) {
            trainer.step(batch);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> trainer.step(batch)).get());
            assertTrue(e.getCause().getMessage().contains("belongs to the training thread"), e.getCause().getMessage());
        }
    }
}
