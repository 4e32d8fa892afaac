package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class StaticAcceptanceTest {

    @Test
    void sumOfMinimaAndGreedyMatchOnAHandMadeCase() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            // Position 0: p = (0.5, 0.25, 0.25), q = (0.25, 0.25, 0.5): Σ min = 0.75, argmaxes 0 vs 2.
            // Position 1: p = (0.2, 0.6, 0.2),   q = (0.1, 0.8, 0.1):   Σ min = 0.8,  argmaxes agree.
            NDArray p = logits(manager, new double[][] {{0.5, 0.25, 0.25}, {0.2, 0.6, 0.2}});
            NDArray q = logits(manager, new double[][] {{0.25, 0.25, 0.5}, {0.1, 0.8, 0.1}});
            StaticAcceptance acceptance = StaticAcceptance.of(p, q);
            assertEquals(2, acceptance.positions());
            assertEquals(0.5, acceptance.greedyMatchRate(), 1e-12);
            assertEquals((0.75 + 0.8) / 2, acceptance.expectedAcceptance(), 1e-6);

            StaticAcceptance same = StaticAcceptance.of(p, p);
            assertEquals(1.0, same.expectedAcceptance(), 1e-6);
            assertEquals(1.0, same.greedyMatchRate());
            StaticAcceptance both = acceptance.plus(same);
            assertEquals(4, both.positions());
            assertEquals((0.75 + 0.8 + 2) / 4, both.expectedAcceptance(), 1e-6);
        }
    }

    /** Logits whose softmax is the given distribution: log p (shifted, as softmax ignores shifts). */
    private static NDArray logits(NDManager manager, double[][] distributions) {
        int vocab = distributions[0].length;
        float[] values = new float[distributions.length * vocab];
        for (int i = 0; i < distributions.length; i++) {
            for (int x = 0; x < vocab; x++) {
                values[i * vocab + x] = (float) (Math.log(distributions[i][x]) + 3);
            }
        }
        return manager.create(values, new Shape(1, distributions.length, vocab));
    }
}
