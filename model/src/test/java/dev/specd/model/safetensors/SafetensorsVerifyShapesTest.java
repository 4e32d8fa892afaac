package dev.specd.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsVerifyShapesTest {

    @TempDir
    Path dir;

    @Test
    void reportsEveryMissingExtraAndMisShapedTensorInOneMessage() throws IOException {
        Path file = dir.resolve(SafetensorsReader.SINGLE_FILE);
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of(
                    "model.embed_tokens.weight", manager.zeros(new Shape(100, 16)),
                    "model.layers.0.mlp.up_proj.weight", manager.zeros(new Shape(64, 32)),
                    "model.rotary_emb.inv_freq", manager.zeros(new Shape(8)))), Map.of());
        }
        Map<String, long[]> expected = Map.of(
                "model.embed_tokens.weight", new long[] {100, 16},
                "model.layers.0.mlp.up_proj.weight", new long[] {64, 16},
                "model.norm.weight", new long[] {16});
        try (SafetensorsReader reader = SafetensorsReader.open(dir)) {
            IOException error = assertThrows(IOException.class, () -> reader.verifyShapes(expected));
            assertEquals(file + " does not hold the expected tensors (3 problems):\n"
                    + "  model.layers.0.mlp.up_proj.weight: expected [64, 16], found [64, 32]\n"
                    + "  model.norm.weight: expected [16], missing\n"
                    + "  model.rotary_emb.inv_freq: not expected, found [8]", error.getMessage());
        }
    }

    @Test
    void matchingShapesPass() throws IOException {
        Path file = dir.resolve("ok.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter.write(file, new TreeMap<>(Map.of("w", manager.zeros(new Shape(2, 3)))), Map.of());
        }
        try (SafetensorsReader reader = SafetensorsReader.openFile(file)) {
            reader.verifyShapes(Map.of("w", new long[] {2, 3}));
        }
    }
}
