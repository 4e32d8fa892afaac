package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specd.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {

    static final ModelConfig TINY = ModelConfig.llama(32, 32, 64, 2, 4, 2, 64, true, 0, 0);

    @TempDir
    Path dir;

    /** A short phrase repeated with random one-token insertions: easy to learn, not trivially periodic. */
    static TokenStream repetitiveText(long seed) {
        int[] phrase = {5, 9, 3, 17, 22, 8, 14, 30, 2, 11};
        SplittableRandom random = new SplittableRandom(seed);
        int[] tokens = new int[6000];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(20) == 0 ? 1 + random.nextInt(31) : phrase[i % phrase.length];
        }
        TokenizedDomain domain = new TokenizedDomain("repeat", tokens, tokens, new int[] {0}, tokens.length, tokens.length);
        return new TokenStream(List.of(domain), Map.of("repeat", 1.0), seed);
    }

    static TrainingPlan plan(int steps, int checkpointEvery) {
        return new TrainingPlan(steps, 4, 32, 1e-2, 1e-3, 5, 0.1, 1.0, Map.of("repeat", 1.0), checkpointEvery, 3);
    }

    @Test
    void lossFallsOnRepetitiveText() throws IOException {
        List<Pretrainer.Progress> steps = new ArrayList<>();
        Pretrainer.Result result = Pretrainer.train("tiny", TINY, plan(40, 100), repetitiveText(1), dir, null, steps::add);
        assertEquals(40, result.steps());
        assertEquals(40L * 4 * 32, result.tokensSeen());
        double first = steps.getFirst().loss();
        double last = steps.getLast().loss();
        assertTrue(first > 3.0, "starts near ln 32 = 3.47, got " + first);
        assertTrue(last < 1.5, "learns the phrase: loss " + first + " → " + last);
        assertEquals(steps.getLast().lossAverage(), result.finalLoss());
    }

    @Test
    void aResumedRunEndsBitIdenticalToAnUninterruptedOne() throws IOException {
        Pretrainer.Result straight = Pretrainer.train("tiny", TINY, plan(7, 3), repetitiveText(2), dir.resolve("a"),
                null, progress -> {});

        Path interrupted = dir.resolve("b");
        class Crash extends RuntimeException {}
        assertThrows(Crash.class, () -> Pretrainer.train("tiny", TINY, plan(7, 3), repetitiveText(2), interrupted,
                null, progress -> {
                    if (progress.step() == 5) {
                        throw new Crash(); // after the checkpoint of step 3, before the one of step 6
                    }
                }));
        List<Integer> resumedSteps = new ArrayList<>();
        Pretrainer.Result resumed = Pretrainer.train("tiny", TINY, plan(7, 3), repetitiveText(2), interrupted, null,
                progress -> resumedSteps.add(progress.step()));

        assertEquals(List.of(4, 5, 6, 7), resumedSteps, "continues after the last checkpoint");
        assertEquals(straight.weights().keySet(), resumed.weights().keySet());
        straight.weights().forEach((name, values) -> assertArrayEquals(values, resumed.weights().get(name), name));
        assertEquals(straight.tokensSeen(), resumed.tokensSeen());
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefused() throws IOException {
        Pretrainer.train("tiny", TINY, plan(2, 1), repetitiveText(3), dir, null, progress -> {});
        assertTrue(Files.isRegularFile(dir.resolve(Checkpoint.FILE_NAME)));
        IOException refused = assertThrows(IOException.class,
                () -> Pretrainer.train("tiny", TINY, plan(3, 1), repetitiveText(3), dir, null, progress -> {}));
        assertTrue(refused.getMessage().contains("other settings"), refused.getMessage());
    }

    @Test
    void aTimeBudgetCutsTheStepsOnceAndTheScheduleStillEnds() throws IOException {
        List<Pretrainer.Progress> steps = new ArrayList<>();
        Pretrainer.Result result = Pretrainer.train("tiny", TINY, plan(100_000, 1000), repetitiveText(4), dir,
                Duration.ofSeconds(2), steps::add);
        assertTrue(result.steps() < 100_000 && result.steps() > Pretrainer.TIMED_STEPS, "cut to " + result.steps());
        for (Pretrainer.Progress progress : steps) {
            int expected = progress.step() <= Pretrainer.TIMED_STEPS ? 100_000 : result.steps();
            assertEquals(expected, progress.totalSteps(), "decided once, after timing, at step " + progress.step());
        }
        assertEquals(result.steps(), steps.getLast().step());
    }
}
