package dev.specd.trainer.pretrain;

import dev.specd.model.ModelConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The shape of a Llama decoder without its vocabulary, which comes from the tokenizer.
 *
 * @param contextLength the longest sequence the model is trained and served at
 */
public record Architecture(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKeyValueHeads,
        int contextLength, boolean tiedEmbeddings) {

    /** A Llama configuration whose BOS and EOS are both the end-of-text token, as in GPT-2. */
    public ModelConfig config(int vocabSize, int endOfTextId) {
        return ModelConfig.llama(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKeyValueHeads,
                contextLength, tiedEmbeddings, endOfTextId, endOfTextId);
    }

    /** {@code hidden=384,layers=6,heads=6,kv=2,ffn=1024,context=512,tied=true}, as the command line takes it. */
    public String spec() {
        return "hidden=" + hiddenSize + ",layers=" + numLayers + ",heads=" + numHeads + ",kv=" + numKeyValueHeads
                + ",ffn=" + intermediateSize + ",context=" + contextLength + ",tied=" + tiedEmbeddings;
    }

    /** Parses {@link #spec()}; every key is required. */
    public static Architecture parse(String spec) {
        Map<String, String> fields = new HashMap<>();
        for (String field : spec.split(",")) {
            String[] pair = field.split("=", 2);
            if (pair.length != 2) {
                throw new IllegalArgumentException("expected key=value in '" + spec + "', got '" + field + "'");
            }
            fields.put(pair[0].trim(), pair[1].trim());
        }
        try {
            return new Architecture(integer(fields, "hidden"), integer(fields, "ffn"), integer(fields, "layers"),
                    integer(fields, "heads"), integer(fields, "kv"), integer(fields, "context"),
                    Boolean.parseBoolean(required(fields, "tied")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number in '" + spec + "': " + e.getMessage(), e);
        }
    }

    private static int integer(Map<String, String> fields, String key) {
        return Integer.parseInt(required(fields, key));
    }

    private static String required(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("architecture needs " + key
                    + " (hidden=…,layers=…,heads=…,kv=…,ffn=…,context=…,tied=…)");
        }
        return value;
    }
}
