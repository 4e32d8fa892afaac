package dev.specd.model.gguf;

/**
 * Reorders the rows of a q_proj or k_proj weight from Hugging Face's rotary layout to llama.cpp's.
 * Hugging Face rotates dimension {@code i} of each head with dimension {@code i + headDim/2}
 * ("rotate half"); llama.cpp's {@code LLAMA_ROPE_TYPE_NORM} rotates adjacent pairs {@code (2i, 2i+1)}.
 * Moving row {@code j·headDim/2 + i} of each head to row {@code 2i + j} makes the two agree, as
 * {@code permute} in llama.cpp's {@code convert_hf_to_gguf.py} does with
 * {@code reshape(n_head, 2, head_dim/2, in).swapaxes(1, 2)}.
 */
public final class RopePermutation {

    private RopePermutation() {}

    /** A permuted copy of a row-major {@code [heads·headDim, columns]} matrix. */
    public static float[] toInterleaved(float[] weight, int heads, int headDim, int columns) {
        if ((long) heads * headDim * columns != weight.length || headDim % 2 != 0) {
            throw new IllegalArgumentException(weight.length + " values are not " + heads + " heads of " + headDim
                    + " even-sized rows of " + columns);
        }
        float[] permuted = new float[weight.length];
        int half = headDim / 2;
        for (int head = 0; head < heads; head++) {
            int base = head * headDim;
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < half; i++) {
                    System.arraycopy(weight, (base + j * half + i) * columns, permuted, (base + 2 * i + j) * columns,
                            columns);
                }
            }
        }
        return permuted;
    }
}
