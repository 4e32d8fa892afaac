package dev.specd.verifier.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.SamplingParams;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./specd bench spec} on the shipped pair, kept tiny: its bookkeeping, not its speed. */
class SpecBenchmarkTest {

    private static final Path MODELS = Path.of("..", "models", "default");

    @Test
    void everyArmReportsItsMedianRoundWithTheSpeedupOverTheMedianPlainRun() throws IOException {
        List<SpecBenchmark.Prompt> prompts = List.of(new SpecBenchmark.Prompt("java", "public static void main("),
                new SpecBenchmark.Prompt("java", "import java.util."), new SpecBenchmark.Prompt("english", "It was the"));
        try (Transformer target = Transformer.load(MODELS.resolve("target"), Device.cpu(), DataType.FLOAT32);
                Transformer draft = Transformer.load(MODELS.resolve("draft"), Device.cpu(), DataType.FLOAT32);
                Tokenizer tokenizer = Tokenizer.load(MODELS.resolve("target"))) {
            SpecBenchmark benchmark = new SpecBenchmark(target, draft, tokenizer, SamplingParams.GREEDY, 6);
            assertThrows(IllegalArgumentException.class, () -> benchmark.run(prompts, List.of(1), 0));
            List<SpecBenchmark.Result> results = benchmark.run(prompts, List.of(1, 2), 3);

            assertEquals(2 * 2 * SpecBenchmark.DRAFTERS.size(), results.size(), "domain × batch × drafter");
            for (SpecBenchmark.Result result : results) {
                int prompted = result.domain().equals("java") ? 2 : 1;
                assertEquals(prompted, result.prompts());
                assertEquals(prompted * 6L, result.generatedTokens(), "greedy runs to max_tokens: " + result);
                assertEquals(result.generatedTokens() / result.seconds(), result.tokensPerSecond(), 1e-6);
                SpecBenchmark.Result none = results.stream().filter(other -> other.domain().equals(result.domain())
                        && other.batch() == result.batch() && other.drafter().equals("none")).findFirst().orElseThrow();
                assertEquals(result.tokensPerSecond() / none.tokensPerSecond(), result.speedupOverNone(), 1e-9);
                if (result.drafter().equals("none")) {
                    assertTrue(Double.isNaN(result.acceptanceRate()), "speculation off drafts nothing: " + result);
                }
            }
        }
    }
}
