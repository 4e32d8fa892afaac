package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/** SwiGLU: down(silu(gate(x)) ⊙ up(x)); silu is swish with β = 1. */
final class FeedForward {

    private final NDArray gate; // [ffn, d]
    private final NDArray up; // [ffn, d]
    private final NDArray down; // [d, ffn]

    FeedForward(NDArray gate, NDArray up, NDArray down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    /** [..., d] → [..., d]. */
    NDArray apply(NDArray x) {
        NDArray gated = Activation.swish(Linear.linear(x, gate).head(), 1f);
        return Linear.linear(gated.mul(Linear.linear(x, up).head()), down).head();
    }
}
