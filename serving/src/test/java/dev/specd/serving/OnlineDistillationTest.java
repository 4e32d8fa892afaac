package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.specd.trainer.online.GovernorConfig;
import dev.specd.trainer.online.OnlineConfig;
import dev.specd.trainer.online.PromotionPolicy;
import dev.specd.trainer.online.ReplayConfig;
import dev.specd.trainer.online.TrainerConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop in one server: traffic of one domain is served and logged, the in-process trainer
 * distils the target into the draft on it, promotes a better draft, serving swaps it in, and the
 * same requests then see a higher acceptance rate through the API, with unchanged greedy outputs.
 */
class OnlineDistillationTest {

    static final int CONTEXT = 96;
    /** The domain's prompts are drawn from this slice of the vocabulary. */
    static final int DOMAIN_TOKENS = 64;
    static final Duration PROMOTION_WAIT = Duration.ofSeconds(45);
    /** Training steps before the acceptance is measured again: the draft trainer's tiny pair learns most in 300. */
    static final int STEPS = 300;
    /** Seen: 0.000 -> 0.335 (a random draft over 262 tokens is almost never the target's greedy choice). */
    static final double MARGIN = 0.15;

    @TempDir
    Path dir;

    /** A fast loop for tiny models: small replay, a high rate, evaluation every 50 steps, training whenever asked. */
    static OnlineConfig fastTrainer() {
        return OnlineConfig.defaults()
                .withReplay(ReplayConfig.defaults().withCapacity(512, 128).withHeldOutFraction(0.25))
                .withTrainer(TrainerConfig.defaults().withLearningRate(3e-3, 20))
                .withGovernor(GovernorConfig.always())
                .withPromotion(new PromotionPolicy(50, 0.01, 0.01, 64, 8))
                .withMinTrainingRecords(32)
                .withPollInterval(Duration.ofMillis(100));
    }

    @Test
    void theTrainerLearnsFromServedTrafficAndTheSwappedDraftIsAcceptedMoreOften() throws Exception {
        Path models = TinyModels.writeLearnable(dir.resolve("learnable"), CONTEXT);
        ServerConfig config = TestServer.config(models, dir.resolve("data"), "--trainer", "in-process",
                "--max-batch", "8", "--min-draft-tokens", "4", "--max-draft-tokens", "4");
        try (TestServer server = TestServer.start(config, fastTrainer());
                ExecutorService clients = Executors.newFixedThreadPool(4)) {
            SplittableRandom random = new SplittableRandom(3);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                prompts.add(random.ints(4 + random.nextInt(5), 0, DOMAIN_TOKENS).toArray());
            }
            long start = System.nanoTime();
            List<JsonNode> before = serve(server, clients, prompts, "\"temperature\": 0");
            // More traffic of the domain, sampled: the target's distributions at many more positions.
            serve(server, clients, prompts, "\"temperature\": 1, \"n\": 4");
            serve(server, clients, prompts, "\"temperature\": 1, \"n\": 4");

            // 16 greedy + 2 × 16 × 4 sampled sequences: the trainer reads every one of them from the log.
            long served = prompts.size() * 9L;
            JsonNode status = awaitTrainer(server, s -> s.get("steps").asLong() >= STEPS && s.get("promotions").asLong() >= 1
                    && s.get("records_consumed").asLong() >= served);
            assertEquals(200, server.post("/admin/trainer/pause", "").statusCode());
            awaitTrainer(server, s -> s.get("state").asText().equals("PAUSED")); // an evaluation under way may still promote
            JsonNode drafts = awaitDrafts(server, d -> d.get("serving").asText().equals(d.get("current").asText()));
            String serving = drafts.get("serving").asText();
            assertNotEquals("v0000", serving);
            double trainingSeconds = (System.nanoTime() - start) / 1e9;

            List<JsonNode> after = serve(server, clients, prompts, "\"temperature\": 0");
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(text(before.get(i)), text(after.get(i)), "greedy output of prompt " + i + " changed with the draft");
                assertEquals("v0000", before.get(i).at("/speculative/draft_version").asText());
                assertEquals(serving, after.get(i).at("/speculative/draft_version").asText());
            }
            assertTrue(drafted(before) > 0 && drafted(after) > 0, "both drafts were asked to draft");
            double acceptanceBefore = meanAcceptance(before);
            double acceptanceAfter = meanAcceptance(after);
            JsonNode verdict = status.get("last_verdict");
            System.out.printf("acceptance over %d greedy requests %.3f -> %.3f (draft %s); trainer: %d steps, %d records, "
                            + "%d promotions, held-out expected acceptance %.3f -> %.3f; %.1f s%n",
                    prompts.size(), acceptanceBefore, acceptanceAfter, serving, status.get("steps").asLong(),
                    status.get("records_consumed").asLong(), status.get("promotions").asLong(),
                    verdict.at("/serving/expected_acceptance").asDouble(),
                    verdict.at("/candidate/expected_acceptance").asDouble(), trainingSeconds);
            assertTrue(acceptanceAfter > acceptanceBefore + MARGIN,
                    "acceptance " + acceptanceBefore + " -> " + acceptanceAfter);

            assertTrue(server.metric("specd_trainer_promotions_total") >= 1);
            assertTrue(server.metric("specd_trainer_steps_total") >= STEPS);
            assertTrue(server.metric("specd_trainer_records_consumed_total") >= served);
            assertTrue(server.metric("specd_draft_swaps_total") >= 1);
            assertEquals(Integer.parseInt(serving.substring(1)), server.metric("specd_draft_version"));
            assertTrue(server.metric("specd_trainer_candidate_expected_acceptance") > 0);
            assertTrue(server.get("/metrics").body().contains("# HELP specd_trainer_loss "));
            assertEquals("PAUSED", TestServer.json(server.get("/admin/trainer")).get("state").asText());
        }
    }

    /** Serves one request per prompt (token ids, the domain tagged), 4 at a time; the responses in prompt order. */
    static List<JsonNode> serve(TestServer server, ExecutorService clients, List<int[]> prompts, String sampling)
            throws Exception {
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        for (int[] prompt : prompts) {
            String body = "{\"prompt\": " + Arrays.toString(prompt) + ", \"max_tokens\": 32, " + sampling
                    + ", \"metadata\": {\"domain\": \"tiny\"}}";
            responses.add(clients.submit(() -> server.post("/v1/completions", body)));
        }
        List<JsonNode> bodies = new ArrayList<>();
        for (Future<HttpResponse<String>> response : responses) {
            assertEquals(200, response.get().statusCode(), response.get().body());
            bodies.add(TestServer.json(response.get()));
        }
        return bodies;
    }

    static String text(JsonNode completion) {
        List<String> texts = new ArrayList<>();
        completion.get("choices").forEach(choice -> texts.add(choice.get("text").asText()));
        return String.join("\u0000", texts);
    }

    /** The mean over responses of speculative.acceptance_rate (responses that drafted nothing count as 0). */
    static double meanAcceptance(List<JsonNode> responses) {
        return responses.stream().mapToDouble(response -> response.at("/speculative/acceptance_rate").asDouble(0))
                .average().orElseThrow();
    }

    static long drafted(List<JsonNode> responses) {
        return responses.stream().mapToLong(response -> response.at("/speculative/drafted_tokens").asLong()).sum();
    }

    static JsonNode awaitTrainer(TestServer server, Predicate<JsonNode> condition) throws InterruptedException {
        return await(server, "/admin/trainer", condition, status -> {
            if (status.get("state").asText().equals("FAILED")) {
                fail("the trainer failed: " + status.get("last_error").asText());
            }
        });
    }

    static JsonNode awaitDrafts(TestServer server, Predicate<JsonNode> condition) throws InterruptedException {
        return await(server, "/admin/drafts", condition, drafts -> { });
    }

    private static JsonNode await(TestServer server, String path, Predicate<JsonNode> condition,
            Consumer<JsonNode> check) throws InterruptedException {
        long deadline = System.nanoTime() + PROMOTION_WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> response = server.get(path);
            assertEquals(200, response.statusCode(), response.body());
            last = TestServer.json(response);
            check.accept(last);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        fail("timed out after " + PROMOTION_WAIT.toSeconds() + " s waiting on " + path + "; last: " + last);
        return last;
    }
}
