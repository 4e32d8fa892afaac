package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainCommandTest {

    @TempDir
    Path dir;

    @Test
    void makesATinyPairFromTheJdkSources() throws IOException {
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "src.zip")),
                "this JDK has no lib/src.zip");
        PretrainOptions options = new PretrainOptions(dir.resolve("models"), dir.resolve("work"), 600,
                new Architecture(32, 64, 2, 4, 2, 64, true), new Architecture(16, 32, 1, 2, 1, 64, true),
                8, 4, 2, 32, 3e-3, 3e-3, 1, List.of("java"), List.of("java"), 3_000_000, Duration.ofMinutes(10));
        ModelCard card = PretrainCommand.run(options);

        Path target = options.outDir().resolve(PairTraining.TARGET_DIR);
        try (Transformer model = Transformer.load(target, Device.cpu(), DataType.FLOAT32);
                Tokenizer tokenizer = Tokenizer.load(target)) {
            assertEquals(600, model.config().vocabSize());
            String code = "public static void main(String[] args) {";
            assertEquals(code, tokenizer.decode(tokenizer.encode(code)));
        }
        assertTrue(Files.isRegularFile(options.outDir().resolve(PairTraining.DRAFT_DIR).resolve("tokenizer_config.json")));
        assertEquals("java", card.corpora().getFirst().domain());
        assertTrue(card.corpora().getFirst().license().contains("GPL"), card.corpora().getFirst().license());
        assertTrue(Files.readString(options.outDir().resolve(ModelCard.FILE_NAME)).contains("OpenJDK"));
    }
}
