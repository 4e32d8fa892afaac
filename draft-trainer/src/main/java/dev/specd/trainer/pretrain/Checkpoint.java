package dev.specd.trainer.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.specd.model.safetensors.SafetensorsReader;
import dev.specd.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything a run needs to continue exactly where it stopped, in one safetensors file written
 * atomically: parameters and both AdamW moments in float32 (bit-exact), and in the metadata the
 * step, the decided step total and what was spent so far. Batches are a function of the step
 * ({@link TokenStream}), so the step is the whole random state.
 *
 * @param identity the model configuration and plan the checkpoint was made for; a run with other
 *     settings refuses it rather than continuing someone else's training
 */
record Checkpoint(String identity, int step, int totalSteps, long tokensSeen, Duration trainingTime, double lossAverage,
        Map<String, NDArray> parameters, Map<String, NDArray> firstMoments, Map<String, NDArray> secondMoments) {

    static final String FILE_NAME = "checkpoint.safetensors";
    private static final String FIRST = "adamw.m/";
    private static final String SECOND = "adamw.v/";

    void write(Path runDir) throws IOException {
        SortedMap<String, NDArray> tensors = new TreeMap<>(parameters);
        firstMoments.forEach((name, m) -> tensors.put(FIRST + name, m));
        secondMoments.forEach((name, v) -> tensors.put(SECOND + name, v));
        Files.createDirectories(runDir);
        SafetensorsWriter.write(runDir.resolve(FILE_NAME), tensors, Map.of(
                "identity", identity,
                "step", Integer.toString(step),
                "total_steps", Integer.toString(totalSteps),
                "tokens_seen", Long.toString(tokensSeen),
                "training_nanos", Long.toString(trainingTime.toNanos()),
                "loss_average", Double.toString(lossAverage)));
    }

    /**
     * The checkpoint in {@code runDir}, its arrays copied into {@code manager} (writable, unlike the
     * memory mapping they are read from), or empty when there is none.
     */
    static Optional<Checkpoint> read(Path runDir, String identity, NDManager manager) throws IOException {
        Path file = runDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsReader reader = SafetensorsReader.openFile(file)) {
            Map<String, String> metadata = reader.metadata();
            if (!identity.equals(metadata.get("identity"))) {
                throw new IOException(file + " was made by a run with other settings; delete " + runDir
                        + " to start this model afresh.\n  checkpoint: " + metadata.get("identity")
                        + "\n  this run:   " + identity);
            }
            Map<String, NDArray> parameters = new HashMap<>();
            Map<String, NDArray> first = new HashMap<>();
            Map<String, NDArray> second = new HashMap<>();
            for (String name : reader.tensors().keySet()) {
                NDArray mapped = reader.load(manager, name);
                NDArray copy = mapped.duplicate();
                mapped.close();
                if (name.startsWith(FIRST)) {
                    first.put(name.substring(FIRST.length()), copy);
                } else if (name.startsWith(SECOND)) {
                    second.put(name.substring(SECOND.length()), copy);
                } else {
                    parameters.put(name, copy);
                }
            }
            return Optional.of(new Checkpoint(identity,
                    Integer.parseInt(metadata.get("step")),
                    Integer.parseInt(metadata.get("total_steps")),
                    Long.parseLong(metadata.get("tokens_seen")),
                    Duration.ofNanos(Long.parseLong(metadata.get("training_nanos"))),
                    Double.parseDouble(metadata.get("loss_average")),
                    parameters, first, second));
        }
    }
}
