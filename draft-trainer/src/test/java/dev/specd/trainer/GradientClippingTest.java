package dev.specd.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    @Test
    void globalNormSpansEveryTensor() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a = manager.create(new float[] {3, 0, 0, 0}, new Shape(2, 2));
            NDArray b = manager.create(new float[] {4});
            assertEquals(5.0, GradientClipping.globalNorm(List.of(a, b)), 1e-6);
        }
    }

    @Test
    void scalingCapsTheGlobalNormAndLeavesSmallGradientsAlone() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray a = manager.create(new float[] {30, -40});
            NDArray b = manager.create(new float[] {0, 120}, new Shape(1, 2));
            double norm = GradientClipping.globalNorm(List.of(a, b));
            assertEquals(130.0, norm, 1e-4);
            double scale = GradientClipping.scale(norm, 1.0);
            double clipped = GradientClipping.globalNorm(List.of(a.mul(scale), b.mul(scale)));
            assertEquals(1.0, clipped, 1e-5);
            assertEquals(1.0, GradientClipping.scale(0.5, 1.0));
        }
    }
}
