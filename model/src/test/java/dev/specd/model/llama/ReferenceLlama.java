package dev.specd.model.llama;

import static dev.specd.model.llama.LlamaWeights.layer;

import dev.specd.model.ModelConfig;
import java.util.Map;

/**
 * The same decoder written independently in plain Java, in double precision, one position at a
 * time, straight from the Hugging Face modeling code: the yardstick for the DJL forward.
 */
final class ReferenceLlama {

    private final ModelConfig config;
    private final Map<String, float[]> weights;

    ReferenceLlama(ModelConfig config, Map<String, float[]> weights) {
        this.config = config;
        this.weights = weights;
    }

    /** Logits [T][V] for every position of one sequence. */
    double[][] logits(int[] tokens) {
        int d = config.hiddenSize();
        int headDim = config.headDim();
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int length = tokens.length;
        double[][] x = new double[length][];
        for (int t = 0; t < length; t++) {
            x[t] = row(weights.get(LlamaWeights.EMBED), tokens[t], d);
        }
        for (int l = 0; l < config.numLayers(); l++) {
            double[][] keys = new double[length][];
            double[][] values = new double[length][];
            double[][] queries = new double[length][];
            for (int t = 0; t < length; t++) {
                double[] h = rmsNorm(x[t], weights.get(layer(l, "input_layernorm.weight")));
                queries[t] = rope(project(l, "q_proj", h), heads, t);
                keys[t] = rope(project(l, "k_proj", h), kvHeads, t);
                values[t] = project(l, "v_proj", h);
            }
            for (int t = 0; t < length; t++) {
                double[] context = new double[heads * headDim];
                for (int head = 0; head < heads; head++) {
                    int kvHead = head / config.kvGroupSize();
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) {
                            dot += queries[t][head * headDim + i] * keys[s][kvHead * headDim + i];
                        }
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double total = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        total += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < headDim; i++) {
                            context[head * headDim + i] += scores[s] / total * values[s][kvHead * headDim + i];
                        }
                    }
                }
                double[] attended = matVec(weights.get(layer(l, "self_attn.o_proj.weight")), context, d);
                addBias(attended, weights.get(layer(l, "self_attn.o_proj.bias")));
                add(x[t], attended);
            }
            for (int t = 0; t < length; t++) {
                double[] h = rmsNorm(x[t], weights.get(layer(l, "post_attention_layernorm.weight")));
                double[] gate = matVec(weights.get(layer(l, "mlp.gate_proj.weight")), h, config.intermediateSize());
                double[] up = matVec(weights.get(layer(l, "mlp.up_proj.weight")), h, config.intermediateSize());
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                add(x[t], matVec(weights.get(layer(l, "mlp.down_proj.weight")), gate, d));
            }
        }
        float[] head = weights.get(config.tieWordEmbeddings() ? LlamaWeights.EMBED : LlamaWeights.LM_HEAD);
        double[][] logits = new double[length][];
        for (int t = 0; t < length; t++) {
            logits[t] = matVec(head, rmsNorm(x[t], weights.get(LlamaWeights.FINAL_NORM)), config.vocabSize());
        }
        return logits;
    }

    private double[] project(int l, String projection, double[] h) {
        float[] w = weights.get(layer(l, "self_attn." + projection + ".weight"));
        double[] out = matVec(w, h, w.length / h.length);
        addBias(out, weights.get(layer(l, "self_attn." + projection + ".bias")));
        return out;
    }

    private double[] rope(double[] vector, int heads, int position) {
        int headDim = config.headDim();
        int half = headDim / 2;
        double[] rotated = vector.clone();
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double angle = position / config.ropeScalingFactor() * Math.pow(config.ropeTheta(), -2.0 * i / headDim);
                double a = vector[head * headDim + i];
                double b = vector[head * headDim + i + half];
                rotated[head * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
                rotated[head * headDim + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return rotated;
    }

    private double[] rmsNorm(double[] x, float[] weight) {
        double sumOfSquares = 0;
        for (double v : x) {
            sumOfSquares += v * v;
        }
        double inverseRms = 1 / Math.sqrt(sumOfSquares / x.length + config.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inverseRms * weight[i];
        }
        return out;
    }

    private static double[] row(float[] matrix, int row, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = matrix[row * width + i];
        }
        return out;
    }

    /** w [rows, x.length] row-major times x. */
    private static double[] matVec(float[] w, double[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < x.length; c++) {
                sum += w[r * x.length + c] * x[c];
            }
            out[r] = sum;
        }
        return out;
    }

    private static void addBias(double[] x, float[] bias) {
        if (bias != null) {
            for (int i = 0; i < x.length; i++) {
                x[i] += bias[i];
            }
        }
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
