package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Backend;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;
import dev.specd.model.ScoreRequest;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.safetensors.DType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class CpuTransformerTest {

    /** Every matrix a whole number of tiles (64 rows with AVX-512), so the full-tile kernels run. */
    private static final ModelConfig CONFIG = ModelConfig.llama(128, 64, 128, 2, 4, 2, 64, false, 0, 1);
    private static final long NO_BOUND = Long.MAX_VALUE;

    @TempDir
    Path dir;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        LlamaWeights.write(dir, CONFIG, LlamaWeights.initialise(CONFIG, 3, 0.3), DType.BF16);
    }

    @Test
    void badRequestsAreRefusedWithoutTouchingTheCache() throws IOException {
        try (CpuTransformer model = CpuTransformer.load(dir);
                KVCache cache = model.newCache(2, 16, NO_BOUND);
                KVCache othersCache = CpuTransformer.load(dir).newCache(1, 16, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            model.score(cache, List.of(ScoreRequest.lastPosition(slot, 0, new int[] {3, 4})));
            assertMessage("outside the vocabulary", () ->
                    model.score(cache, List.of(ScoreRequest.lastPosition(slot, 2, new int[] {CONFIG.vocabSize()}))));
            assertMessage("leave a gap", () -> model.score(cache, List.of(ScoreRequest.lastPosition(slot, 3, new int[] {5}))));
            assertMessage("past the cache length", () ->
                    model.score(cache, List.of(ScoreRequest.allPositions(slot, 2, new int[15]))));
            assertMessage("appears twice", () -> model.score(cache, List.of(
                    ScoreRequest.lastPosition(slot, 2, new int[] {5}), ScoreRequest.lastPosition(slot, 2, new int[] {6}))));
            assertMessage("not in use", () -> model.score(cache, List.of(ScoreRequest.lastPosition(1, 0, new int[] {5}))));
            int foreign = othersCache.acquire().orElseThrow();
            assertMessage("not made by this model", () ->
                    model.score(othersCache, List.of(ScoreRequest.lastPosition(foreign, 0, new int[] {5}))));
            assertEquals(2, cache.length(slot));
            assertMessage("over the bound", () -> model.newCache(64, 64, 1 << 16));
            assertMessage("exceeds the model's context length", () -> model.newCache(1, 65, NO_BOUND));
        }
    }

    @Test
    void weightsKeepTheCheckpointsBfloat16() throws IOException {
        try (CpuTransformer model = CpuTransformer.load(dir)) {
            long matrices = CONFIG.parameterCount() - (long) CONFIG.vocabSize() * CONFIG.hiddenSize()
                    - (2L * CONFIG.numLayers() + 1) * CONFIG.hiddenSize();
            long norms = (2L * CONFIG.numLayers() + 1) * CONFIG.hiddenSize();
            assertEquals(matrices * Short.BYTES + norms * Float.BYTES, model.weightBytesPerToken(),
                    "every matrix but the untied embedding in bfloat16, norms in float32");
        }
    }

    /**
     * Once compiled: the interpreter and C1 box every vector, so the test decodes until C2 has
     * compiled the kernels (some tens of thousands of steps of this tiny model), and fails if no
     * window of steps ever comes down to the logits it returns.
     */
    @Test
    void aDecodeStepAllocatesOnlyTheLogitsItReturnsOnceCompiled() throws IOException {
        int context = 60;
        int window = 500;
        int maxSteps = 200_000;
        long allowed = CONFIG.vocabSize() * Float.BYTES + 512;
        try (CpuTransformer model = CpuTransformer.load(dir); KVCache cache = model.newCache(1, 64, NO_BOUND)) {
            int slot = cache.acquire().orElseThrow();
            model.score(cache, List.of(ScoreRequest.lastPosition(slot, 0, new int[context])));
            List<List<ScoreRequest>> decode = new ArrayList<>();
            for (int position = 0; position < context; position++) {
                decode.add(List.of(ScoreRequest.lastPosition(slot, position, new int[] {position % CONFIG.vocabSize()})));
            }
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] allocated = new long[window];
            long median = Long.MAX_VALUE;
            for (int step = 0; step < maxSteps && median > allowed; step++) {
                int position = step % context;
                cache.rollback(slot, position);
                long before = threads.getCurrentThreadAllocatedBytes();
                model.score(cache, decode.get(position));
                allocated[step % window] = threads.getCurrentThreadAllocatedBytes() - before;
                if (step % window == window - 1) {
                    median = Arrays.stream(allocated).sorted().toArray()[window / 2];
                }
            }
            assertTrue(median <= allowed, "a decode step still allocated " + median + " bytes (median) after "
                    + maxSteps + " steps; its logits are " + CONFIG.vocabSize() * Float.BYTES);
        }
    }

    @Test
    void theJavaBackendRefusesWhatItCannotRun() {
        assertMessage("cpu only", () -> Backend.JAVA.load(dir, Device.gpu(), DataType.FLOAT32));
        assertMessage("computes in float32", () -> Backend.JAVA.load(dir, Device.cpu(), DataType.FLOAT16));
    }

    private static void assertMessage(String fragment, Executable action) {
        Exception thrown = assertThrows(IllegalArgumentException.class, action);
        assertTrue(thrown.getMessage().contains(fragment), "expected '" + fragment + "' in: " + thrown.getMessage());
    }
}
