package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PretrainOptionsTest {

    @Test
    void theDefaultsAreThePlainCommandAndOtherOptionsBecomeFlags() {
        PretrainOptions defaults = PretrainOptions.defaults();
        assertEquals("./specd pretrain", defaults.commandLine());
        PretrainOptions changed = new PretrainOptions(Path.of("out"), defaults.workDir(), defaults.vocabSize(),
                defaults.target(), defaults.draft(), 10, defaults.draftSteps(), defaults.batchSize(),
                defaults.sequenceLength(), defaults.learningRate(), defaults.draftLearningRate(), defaults.seed(), defaults.domains(),
                defaults.draftDomains(), defaults.bytesPerDomain(), null);
        assertEquals("./specd pretrain --out out --target-steps 10 --time-budget none", changed.commandLine());
    }

    @Test
    void architecturesRoundTripThroughTheirSpec() {
        Architecture target = PretrainOptions.defaults().target();
        assertEquals(target, Architecture.parse(target.spec()));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Architecture.parse("hidden=64,layers=2"));
        assertTrue(missing.getMessage().contains("heads"), missing.getMessage());
    }

    @Test
    void theDefaultDraftIsAtMostATenthOfTheTargetAndTheDefaultsFitTheSizeLimit() {
        PretrainOptions defaults = PretrainOptions.defaults();
        long target = defaults.target().config(defaults.vocabSize(), 0).parameterCount();
        long draft = defaults.draft().config(defaults.vocabSize(), 0).parameterCount();
        assertTrue(draft * 10 <= target, draft + " vs " + target);
        assertTrue(2 * (target + draft) < 40_000_000, "BF16 weights of both under 40 MB");
    }

    @Test
    void plansWeightTheirDomainsEquallyAndTheDraftGetsItsOwn() {
        PretrainOptions defaults = PretrainOptions.defaults();
        assertEquals(defaults.domains().size(), defaults.targetPlan().domainWeights().size());
        assertEquals(Map.copyOf(defaults.draftDomains().stream().collect(
                java.util.stream.Collectors.toMap(d -> d, d -> 1.0))), defaults.draftPlan().domainWeights());
        assertTrue(defaults.targetPlan().warmupSteps() > Pretrainer.TIMED_STEPS,
                "a time budget decides the step total during warm-up, before the cosine needs it");
    }

    @Test
    void unavailableDomainsAreDropped() {
        PretrainOptions options = PretrainOptions.defaults().withDomains(List.of("java", "python"));
        assertEquals(List.of("java", "python"), options.domains());
        assertEquals(List.of("java"), options.draftDomains());
        assertEquals(List.of("python"),
                PretrainOptions.defaults().withDomains(List.of("python")).draftDomains(), "falls back to what is left");
        assertThrows(IllegalArgumentException.class, () -> PretrainOptions.defaults().withDomains(List.of()));
        assertEquals(Duration.ofMinutes(60), options.timeBudget());
    }
}
