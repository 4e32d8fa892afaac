package dev.specd.trainer.online;

import ai.djl.Device;
import dev.specd.model.llama.Transformer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DraftTrainerSmokeTest {
    @TempDir
    Path dir;

    @Test
    void smoke() throws Exception {
        Path target = TinyModels.write(dir.resolve("target"), TinyModels.target(), 1);
        Path draft = TinyModels.write(dir.resolve("draft"), TinyModels.draft(), 2);
        long t0 = System.nanoTime();
        List<TrainingRecord> records;
        try (Transformer t = TinyModels.load(target)) {
            records = TinyModels.sample(t, "a", 2, 48, 320, 16, 1, 7);
        }
        System.out.printf("generate %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        TrainerConfig settings = TrainerConfig.defaults().withLearningRate(3e-3, 20);
        SplittableRandom r = new SplittableRandom(3);
        try (DraftTrainer trainer = DraftTrainer.fromCheckpoint(draft, Device.cpu(), settings)) {
            t0 = System.nanoTime();
            for (int s = 0; s < 300; s++) {
                List<TrainingRecord> batch = r.ints(8, 0, records.size()).mapToObj(records::get).toList();
                StepResult result = trainer.step(batch);
                if (s % 50 == 0 || s == 299) {
                    System.out.println(result);
                }
            }
            System.out.printf("train %.1f ms%n", (System.nanoTime() - t0) / 1e6);
        }
    }
}
