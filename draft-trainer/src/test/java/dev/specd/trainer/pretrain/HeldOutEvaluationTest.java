package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.ModelConfig;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HeldOutEvaluationTest {

    private static final ModelConfig CONFIG = ModelConfig.llama(40, 16, 32, 1, 2, 1, 32, true, 0, 0);

    @Test
    void lossIsTheMeanCrossEntropyAndAModelAcceptsItselfAlways() {
        int[] heldOut = new SplittableRandom(3).ints(200, 0, 40).toArray();
        TokenizedDomain domain = new TokenizedDomain("d", heldOut, heldOut, new int[] {0}, 0, 0);
        try (Transformer model = model(1); Transformer other = model(2)) {
            HeldOutEvaluation.DomainResult self = HeldOutEvaluation.evaluate(model, model, List.of(domain), 5, 12).getFirst();
            assertEquals(1.0, self.acceptance().expectedAcceptance(), 1e-5);
            assertEquals(1.0, self.acceptance().greedyMatchRate());
            assertEquals(5 * 12, self.acceptance().positions());
            assertEquals(self.targetLoss(), self.draftLoss());
            assertEquals(referenceLoss(model, TokenStream.heldOutWindows(domain, 5, 12)), self.targetLoss(), 1e-5);

            HeldOutEvaluation.DomainResult pair = HeldOutEvaluation.evaluate(model, other, List.of(domain), 5, 12).getFirst();
            assertEquals(self.targetLoss(), pair.targetLoss(), 1e-6);
            assertEquals(referenceLoss(other, TokenStream.heldOutWindows(domain, 5, 12)), pair.draftLoss(), 1e-5);
        }
    }

    /** −log softmax(logits)[next] averaged over positions, in double precision from the model's logits. */
    private static double referenceLoss(Transformer model, TokenStream.Batch windows) {
        int window = windows.sequenceLength() + 1;
        double sum = 0;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (int row = 0; row < windows.batchSize(); row++) {
                long[] tokens = java.util.Arrays.copyOfRange(windows.tokens(), row * window, (row + 1) * window - 1);
                NDArray logits = model.logits(manager.create(tokens, new Shape(1, tokens.length)));
                float[] flat = logits.toFloatArray();
                for (int t = 0; t < tokens.length; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int x = 0; x < 40; x++) {
                        max = Math.max(max, flat[t * 40 + x]);
                    }
                    double total = 0;
                    for (int x = 0; x < 40; x++) {
                        total += Math.exp(flat[t * 40 + x] - max);
                    }
                    int next = (int) windows.tokens()[row * window + t + 1];
                    sum += -(flat[t * 40 + next] - max - Math.log(total));
                }
            }
        }
        return sum / (windows.batchSize() * windows.sequenceLength());
    }

    private static Transformer model(long seed) {
        NDManager manager = NDManager.newBaseManager("PyTorch");
        Map<String, long[]> shapes = LlamaWeights.shapes(CONFIG);
        Map<String, NDArray> weights = new java.util.HashMap<>();
        LlamaWeights.initialise(CONFIG, seed, 0.5).forEach((name, values) ->
                weights.put(name, manager.create(values, new Shape(shapes.get(name)))));
        return Transformer.fromWeights(CONFIG, manager, DataType.FLOAT32, weights);
    }
}
