package dev.specd.model.gguf;

import java.util.Objects;

/**
 * How to export.
 *
 * @param matrixType type of the 2-D weights; norms are always F32
 * @param name {@code general.name}, or null for the model directory's name
 * @param forcedPreTokenizer a llama.cpp pre-tokenizer to use although its regex differs from the
 *     tokenizer's, or null to refuse such tokenizers (see {@link GgufTokenizer})
 */
public record GgufExportOptions(GgufTensorType matrixType, String name, String forcedPreTokenizer) {

    public static final GgufExportOptions DEFAULT = new GgufExportOptions(GgufTensorType.F16, null, null);

    public GgufExportOptions {
        Objects.requireNonNull(matrixType, "matrixType");
    }
}
