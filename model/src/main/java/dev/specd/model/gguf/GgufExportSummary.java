package dev.specd.model.gguf;

import java.nio.file.Path;

/**
 * What {@link LlamaGgufExport#export} wrote.
 *
 * @param preTokenizerForced the pre-tokenizer was forced: llama.cpp tokenizes some texts differently
 */
public record GgufExportSummary(Path file, long bytes, String name, int tensors, int metadataKeys,
        GgufTensorType matrixType, String preTokenizer, boolean preTokenizerForced, int vocabSize) {}
