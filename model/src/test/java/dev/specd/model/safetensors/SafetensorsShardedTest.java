package dev.specd.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsShardedTest {

    private static final String SHARD_1 = "model-00001-of-00002.safetensors";
    private static final String SHARD_2 = "model-00002-of-00002.safetensors";
    private static final String INDEX = """
            {"metadata": {"total_size": 56},
             "weight_map": {
               "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
               "model.layers.0.mlp.up_proj.weight": "model-00001-of-00002.safetensors",
               "lm_head.weight": "model-00002-of-00002.safetensors"}}
            """;

    @TempDir
    Path dir;

    @Test
    void readsEveryShardThroughTheIndex() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE), INDEX);
        try (SafetensorsReader reader = SafetensorsReader.open(dir); NDManager manager = NDManager.newBaseManager()) {
            assertEquals(3, reader.tensors().size());
            assertEquals(dir.resolve(SHARD_2), reader.tensors().get("lm_head.weight").file());
            assertEquals("56", reader.metadata().get("total_size"));
            NDArray head = reader.load(manager, "lm_head.weight");
            assertArrayEquals(new float[] {7, 8, 9, 10}, head.toFloatArray());
            assertArrayEquals(new float[] {1, 2}, reader.load(manager, "model.embed_tokens.weight").toFloatArray());
        }
    }

    @Test
    void prefersTheIndexOverASingleFile() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE), INDEX);
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(dir.resolve(SafetensorsReader.SINGLE_FILE),
                    new TreeMap<>(Map.of("stale", manager.ones(new Shape(1)))), Map.of());
        }
        try (SafetensorsReader reader = SafetensorsReader.open(dir)) {
            assertTrue(reader.tensors().containsKey("lm_head.weight"));
        }
    }

    @Test
    void missingShardIsNamed() throws IOException {
        writeShards();
        Files.delete(dir.resolve(SHARD_2));
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE), INDEX);
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.open(dir));
        assertTrue(error.getMessage().contains(SafetensorsReader.INDEX_FILE), error.getMessage());
        assertTrue(error.getMessage().contains("shard file " + SHARD_2), error.getMessage());
        assertTrue(error.getMessage().contains("'lm_head.weight'") && error.getMessage().contains("missing"),
                error.getMessage());
    }

    @Test
    void tensorAbsentFromItsShardIsNamed() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE),
                INDEX.replace("\"lm_head.weight\"", "\"model.norm.weight\"").replace("}}", ", \"lm_head.weight\": \""
                        + SHARD_2 + "\"}}"));
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.open(dir));
        assertTrue(error.getMessage().contains("'model.norm.weight' in " + SHARD_2 + ", which has no such tensor"),
                error.getMessage());
    }

    @Test
    void tensorInAShardTheIndexDoesNotListIsNamed() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE),
                INDEX.replace(",\n   \"model.layers.0.mlp.up_proj.weight\": \"" + SHARD_1 + "\"", ""));
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.open(dir));
        assertTrue(error.getMessage().contains(SHARD_1), error.getMessage());
        assertTrue(error.getMessage().contains("'model.layers.0.mlp.up_proj.weight'"), error.getMessage());
        assertTrue(error.getMessage().contains("puts it nowhere"), error.getMessage());
    }

    @Test
    void shardOutsideTheModelDirectoryIsRefused() throws IOException {
        writeShards();
        Files.writeString(dir.resolve(SafetensorsReader.INDEX_FILE), INDEX.replace(SHARD_2, "../" + SHARD_2));
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.open(dir));
        assertTrue(error.getMessage().contains("'lm_head.weight'") && error.getMessage().contains("../" + SHARD_2),
                error.getMessage());
    }

    @Test
    void emptyDirectoryIsExplained() {
        IOException error = assertThrows(IOException.class, () -> SafetensorsReader.open(dir));
        assertTrue(error.getMessage().contains("no " + SafetensorsReader.SINGLE_FILE + " or "
                + SafetensorsReader.INDEX_FILE), error.getMessage());
    }

    private void writeShards() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(dir.resolve(SHARD_1), new TreeMap<>(Map.of(
                    "model.embed_tokens.weight", manager.create(new float[] {1, 2}),
                    "model.layers.0.mlp.up_proj.weight", manager.create(new float[] {3, 4, 5, 6}, new Shape(2, 2)))),
                    Map.of("format", "pt"));
            SafetensorsWriter.write(dir.resolve(SHARD_2), new TreeMap<>(Map.of(
                    "lm_head.weight", manager.create(new float[] {7, 8, 9, 10}, new Shape(4, 1)))),
                    Map.of("format", "pt"));
        }
    }
}
