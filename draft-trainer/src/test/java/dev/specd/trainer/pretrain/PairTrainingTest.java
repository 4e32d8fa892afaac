package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline after the tokenizer, on tiny models and a few kilobytes of text. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PairTrainingTest {

    /** The two special tokens, the 256 bytes and 62 merges learned from the text below. */
    private static final int VOCAB_SIZE = 320;

    @TempDir
    static Path dir;

    private PretrainOptions options;
    private List<Corpus> texts;
    private Path tokenizerDir;
    private ModelCard card;
    private final List<Pretrainer.Progress> progress = new ArrayList<>();

    @BeforeAll
    void trainTinyPair() throws IOException {
        texts = List.of(
                domain("english", i -> "The cat sat on the mat number " + i + ". Then the dog ran in the rain.\n"),
                domain("java", i -> "int x" + i + " = compute(" + i + ");\nif (x" + i + " > 0) { return x" + i + "; }\n"));
        options = new PretrainOptions(dir.resolve("models"), dir.resolve("work"), VOCAB_SIZE,
                new Architecture(32, 64, 2, 4, 2, 64, true), new Architecture(16, 32, 1, 2, 1, 64, true),
                12, 6, 2, 24, 3e-3, 3e-3, 5, List.of("english", "java"), List.of("english"), 4000, null);
        tokenizerDir = dir.resolve("work/tokenizer");
        Duration tokenizerTime = PretrainCommand.trainTokenizer(options, texts, tokenizerDir, System.err);
        card = PairTraining.run(options, texts, tokenizerDir, tokenizerTime, System.nanoTime(), progress::add);
    }

    @Test
    void bothModelsAreLoadableCheckpointsWithTheTokenizer() throws IOException {
        for (String model : List.of(PairTraining.TARGET_DIR, PairTraining.DRAFT_DIR)) {
            Path modelDir = options.outDir().resolve(model);
            try (Stream<Path> files = Files.list(modelDir)) {
                assertEquals(Set.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"),
                        files.map(file -> file.getFileName().toString()).collect(Collectors.toSet()));
            }
            try (Transformer loaded = Transformer.load(modelDir, Device.cpu(), DataType.FLOAT32);
                    Tokenizer tokenizer = Tokenizer.load(modelDir)) {
                assertEquals(VOCAB_SIZE, loaded.config().vocabSize());
                assertTrue(loaded.config().isEos(SpecialTokens.DEFAULT.endOfTextId()));
                assertEquals("the cat", tokenizer.decode(tokenizer.encode("the cat")));
                assertTrue(tokenizer.encode(" the cat sat on the mat").length < 8, "merges were learned");
            }
        }
        assertEquals(12, card.target().result().steps());
        assertEquals(6, card.draft().result().steps());
        assertEquals(12 + 6, progress.size());
    }

    @Test
    void theModelCardReportsTheRun() throws IOException {
        String readme = Files.readString(options.outDir().resolve(ModelCard.FILE_NAME));
        for (String expected : List.of("## Models", "## Training", "## Evaluation on held-out text", "## Samples",
                "## Corpus", "### Sources and licences", "## Reproducing", "| english |", "| java |",
                "test licence english", options.commandLine(), "--draft-domains english")) {
            assertTrue(readme.contains(expected), "README.md lacks " + expected + ":\n" + readme);
        }
        assertEquals(2, card.evaluation().size());
        for (HeldOutEvaluation.DomainResult result : card.evaluation()) {
            assertTrue(result.targetLoss() > 0 && result.draftLoss() > 0);
            double alpha = result.acceptance().expectedAcceptance();
            assertTrue(alpha > 0 && alpha <= 1, "α = " + alpha);
        }
        assertEquals(2 * PretrainOptions.SAMPLES_PER_DOMAIN, card.samples().size());
    }

    @Test
    void runningAgainResumesFromTheWorkDirectoryWithoutTraining() throws IOException {
        byte[] before = Files.readAllBytes(options.outDir().resolve(PairTraining.TARGET_DIR).resolve("model.safetensors"));
        List<Pretrainer.Progress> again = new ArrayList<>();
        ModelCard second = PairTraining.run(options, texts, tokenizerDir, Duration.ZERO, System.nanoTime(), again::add);
        assertEquals(List.of(), again, "both models were already trained to their last step");
        assertArrayEquals(before,
                Files.readAllBytes(options.outDir().resolve(PairTraining.TARGET_DIR).resolve("model.safetensors")));
        assertEquals(card.evaluation(), second.evaluation());
    }

    private static Corpus domain(String name, java.util.function.IntFunction<String> line) {
        List<String> documents = IntStream.range(0, 12)
                .mapToObj(d -> String.join("", IntStream.range(0, 8).mapToObj(i -> line.apply(d * 8 + i)).toList()))
                .toList();
        return new Corpus(new Provenance(name, "hand-written " + name, "test licence " + name),
                documents.subList(0, 10), documents.subList(10, 12));
    }

    @Test
    void aBudgetTooShortForBothPlansShrinksThemAlike() {
        // Plans of 90 and 10 minutes in a 60-minute budget: the target gets 54, leaving the draft 6.
        assertEquals(Duration.ofMinutes(54), PairTraining.targetShare(Duration.ofMinutes(60), 90 * 60_000, 10 * 60_000));
        // A busy machine times both plans slower: the split stays the same.
        assertEquals(Duration.ofMinutes(54), PairTraining.targetShare(Duration.ofMinutes(60), 900 * 60_000, 100 * 60_000));
    }
}
