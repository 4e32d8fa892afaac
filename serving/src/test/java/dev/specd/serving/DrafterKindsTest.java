package dev.specd.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every drafter serves exactly the target's greedy output; only the statistics differ. */
class DrafterKindsTest {

    private static final List<String> PROMPTS = List.of("ab ab ab ab ab", "the theme of the thesis");

    @TempDir
    static Path dir;
    static Path models;

    @BeforeAll
    static void writeModels() throws Exception {
        models = TinyModels.write(dir.resolve("tiny"), 128);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ngram", "hybrid", "none"})
    void greedyOutputIsTheSameAsWithTheDraftModel(String drafter) throws Exception {
        try (TestServer model = TestServer.start(models, "--drafter", "model");
                TestServer other = TestServer.start(models, "--drafter", drafter)) {
            for (String prompt : PROMPTS) {
                String request = ServerTest.completion(prompt, 40, "");
                JsonNode expected = TestServer.json(model.post("/v1/completions", request));
                JsonNode actual = TestServer.json(other.post("/v1/completions", request));
                assertEquals(expected.at("/choices/0/text"), actual.at("/choices/0/text"), drafter + ": " + prompt);
                assertEquals(drafter, actual.at("/speculative/drafter").asText());
                if (drafter.equals("none")) {
                    assertEquals(0, actual.at("/speculative/drafted_tokens").asLong());
                    assertEquals(-1, other.metric("specd_draft_version"));
                }
            }
        }
    }
}
