package dev.specd.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * AdamW (Loshchilov & Hutter) on NDArrays, updated in place, as torch.optim.AdamW computes it:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w(1 − lr·λ) − lr·m̂/(√v̂ + ε) with m̂, v̂ the
 * bias-corrected moments. Decay λ applies only to the parameters named in {@code decayed}
 * (matrices and embeddings, not norm gains or biases).
 *
 * <p>DJL's own {@code ai.djl.training.optimizer.AdamW} keeps its moments and step counts private and
 * applies one decay to every parameter, so it can neither be checkpointed nor spare the norms, and
 * its moments are detached from every manager, so they live until the process ends. Pretraining and
 * online distillation both use this one.
 * {@link #step} writes into leaf tensors that require gradients, which libtorch allows only with
 * autograd off; call it outside a GradientCollector.
 */
public final class AdamW {

    public record Hyperparameters(double beta1, double beta2, double epsilon, double weightDecay) {
        public static final Hyperparameters DEFAULT = new Hyperparameters(0.9, 0.95, 1e-8, 0.1);

        public Hyperparameters withWeightDecay(double decay) {
            return new Hyperparameters(beta1, beta2, epsilon, decay);
        }
    }

    private final Hyperparameters hyperparameters;
    private final Set<String> decayed;
    private final Map<String, NDArray> firstMoments;
    private final Map<String, NDArray> secondMoments;

    /** Moments are owned by the caller's manager and must outlive every step's scope. */
    public AdamW(Hyperparameters hyperparameters, Set<String> decayed, Map<String, NDArray> firstMoments,
            Map<String, NDArray> secondMoments) {
        this.hyperparameters = hyperparameters;
        this.decayed = Set.copyOf(decayed);
        this.firstMoments = new TreeMap<>(firstMoments);
        this.secondMoments = new TreeMap<>(secondMoments);
    }

    /**
     * A fresh optimizer for {@code parameters}: zero moments made in {@code manager} (outside any
     * scope, so they outlive the steps), decay on matrices and embeddings only.
     */
    public static AdamW fresh(NDManager manager, Map<String, NDArray> parameters, Hyperparameters hyperparameters) {
        Map<String, NDArray> first = new TreeMap<>();
        Map<String, NDArray> second = new TreeMap<>();
        parameters.forEach((name, parameter) -> {
            first.put(name, manager.zeros(parameter.getShape(), parameter.getDataType()));
            second.put(name, manager.zeros(parameter.getShape(), parameter.getDataType()));
        });
        return new AdamW(hyperparameters, matrices(parameters), first, second);
    }

    /** The names of the parameters weight decay applies to: two or more dimensions. */
    public static Set<String> matrices(Map<String, NDArray> parameters) {
        return parameters.entrySet().stream()
                .filter(parameter -> parameter.getValue().getShape().dimension() >= 2)
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet());
    }

    /**
     * Sets every gradient to zero in place, non-finite ones included (multiplying would keep NaNs).
     *
     * <p>Not {@code getGradient().set(float[])}: on CPU, DJL's {@code set} makes the tensor's storage
     * a Java direct buffer that only the returned handle keeps reachable, so the parameter's gradient
     * would live on in memory the garbage collector frees, and the next backward pass would write
     * into the native heap.
     */
    public static void zeroGradients(Collection<NDArray> parameters) {
        for (NDArray parameter : parameters) {
            JniUtils.zeroGrad((PtNDArray) parameter);
        }
    }

    public Map<String, NDArray> firstMoments() {
        return firstMoments;
    }

    public Map<String, NDArray> secondMoments() {
        return secondMoments;
    }

    /**
     * The update of optimizer step {@code t} (1-based) with learning rate {@code lr}, gradients
     * multiplied by {@code gradientScale} first (clipping). Zeroes the gradients after, since
     * PyTorch accumulates them across backward passes.
     */
    public void step(Map<String, NDArray> parameters, long t, double lr, double gradientScale) {
        // Autograd mode is thread-local in libtorch and on by default on threads the engine did not start.
        JniUtils.setGradMode(false);
        double beta1 = hyperparameters.beta1();
        double beta2 = hyperparameters.beta2();
        double firstCorrection = 1 - Math.pow(beta1, t);
        double secondCorrection = 1 - Math.pow(beta2, t);
        for (Map.Entry<String, NDArray> entry : parameters.entrySet()) {
            String name = entry.getKey();
            NDArray weight = entry.getValue();
            NDArray gradient = weight.getGradient();
            NDArray g = gradient.mul(gradientScale);
            NDArray m = firstMoments.get(name).muli(beta1).addi(g.mul(1 - beta1));
            NDArray v = secondMoments.get(name).muli(beta2).addi(g.square().muli(1 - beta2));
            if (decayed.contains(name)) {
                weight.muli(1 - lr * hyperparameters.weightDecay());
            }
            NDArray denominator = v.div(secondCorrection).sqrt().addi(hyperparameters.epsilon());
            weight.subi(m.mul(lr / firstCorrection).divi(denominator));
            JniUtils.zeroGrad((PtNDArray) weight);
        }
    }
}
