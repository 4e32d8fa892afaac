package dev.specd.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static final int SIZE = 4096;

    /**
     * Zeroed gradients must stay in memory libtorch owns. Zeroing by writing a Java array into the
     * gradient handle once left the parameter's gradient on a direct buffer the garbage collector then
     * freed: the next backward pass accumulated into the native heap (glibc: "unaligned tcache chunk").
     * Here the freed memory would be handed out again to buffers filled with 7s, and the gradient would
     * read them.
     */
    @Test
    void zeroedGradientsSurviveGarbageCollection() throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = manager.zeros(new Shape(SIZE));
            weight.setRequiresGradient(true);
            backward(weight);
            AdamW.zeroGradients(List.of(weight));
            reuseFreedNativeMemory();
            try (NDArray gradient = weight.getGradient()) {
                assertArrayEquals(new float[SIZE], gradient.toFloatArray(), "zeroed gradient");
            }
            backward(weight);
            try (NDArray gradient = weight.getGradient()) {
                float[] ones = new float[SIZE];
                Arrays.fill(ones, 1);
                assertArrayEquals(ones, gradient.toFloatArray(), "one backward pass after zeroing");
            }
        }
    }

    /** d(Σ w)/dw = 1 everywhere, accumulated into w's gradient. */
    private static void backward(NDArray weight) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray sum = weight.sum();
            collector.backward(sum);
            sum.close();
        }
    }

    /** Collects garbage until a direct buffer is freed, then allocates buffers of the same size filled with 7s. */
    private static void reuseFreedNativeMemory() throws InterruptedException {
        WeakReference<ByteBuffer> probe = new WeakReference<>(ByteBuffer.allocateDirect(SIZE * Float.BYTES));
        for (int i = 0; i < 50 && probe.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(100); // the cleaner frees the buffers' memory after the collector clears them
        for (int i = 0; i < 32; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(SIZE * Float.BYTES).order(ByteOrder.nativeOrder());
            while (buffer.hasRemaining()) {
                buffer.putFloat(7);
            }
        }
    }
}
