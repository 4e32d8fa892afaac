package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java's regex engine and Oniguruma (inside Hugging Face tokenizers) must cut text into the same
 * pieces, or the Java encoder and a trained model's tokenizer.json drift apart on rare scripts.
 * Every assigned code point is tried next to letters, digits, spaces, newlines and punctuation;
 * the Rust side's pieces are read back from the word ids of its encoding.
 */
class PreTokenizerAgreementTest {

    private static final int CODE_POINTS_PER_TEXT = 32;

    @Test
    void javaAndOnigurumaCutEveryAssignedCodePointAlike(@TempDir Path dir) throws Exception {
        BpeTokenizerModel model = BpeTrainer.train(SampleText.documents(20, 1), 400, SpecialTokens.DEFAULT);
        model.writeHuggingFace(dir, 2048);
        PreTokenizer preTokenizer = new PreTokenizer(SpecialTokens.DEFAULT);
        int[] codePoints = IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
                .filter(c -> Character.getType(c) != Character.UNASSIGNED && Character.getType(c) != Character.SURROGATE
                        && Character.getType(c) != Character.PRIVATE_USE)
                .toArray();
        try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(dir,
                Map.of("addSpecialTokens", "false", "truncation", "false"))) {
            for (int start = 0; start < codePoints.length; start += CODE_POINTS_PER_TEXT) {
                StringBuilder text = new StringBuilder();
                for (int i = start; i < Math.min(start + CODE_POINTS_PER_TEXT, codePoints.length); i++) {
                    String c = Character.toString(codePoints[i]);
                    text.append('a').append(c).append("b ").append(c).append('1').append(c).append("  ")
                            .append(c).append('\n').append(c).append("'s").append(c).append(".x");
                }
                List<String> javaPieces = new ArrayList<>();
                preTokenizer.split(text.toString(), special -> {}, javaPieces::add);
                assertEquals(javaPieces, rustPieces(djl.encode(text.toString()), model),
                        "from U+" + Integer.toHexString(codePoints[start]));
            }
        }
    }

    private static List<String> rustPieces(Encoding encoding, BpeTokenizerModel model) {
        long[] ids = encoding.getIds();
        long[] words = encoding.getWordIds();
        List<String> pieces = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= ids.length; i++) {
            if (i == ids.length || words[i] != words[from]) {
                pieces.add(model.decode(IntStream.range(from, i).map(k -> (int) ids[k]).toArray()));
                from = i;
            }
        }
        return pieces;
    }
}
