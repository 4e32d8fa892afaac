package dev.specd.trainer.online;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DraftRegistryTest {

    @TempDir
    Path dir;
    Path dataDir;
    Path base;

    @BeforeEach
    void writeBase() throws IOException {
        dataDir = dir.resolve("data");
        base = TinyModels.writeDraft(dir.resolve("base"), 2);
    }

    private static SortedMap<String, float[]> weights(long seed) {
        return LlamaWeights.initialise(TinyModels.draft(), seed, 0.3);
    }

    private static DraftManifest.Lineage lineage(String parent, long steps) {
        return new DraftManifest.Lineage(parent, steps, 10 * steps, new Evaluation(0.3, 0.1, 100, 10),
                new Evaluation(0.4, 0.2, 100, 10));
    }

    /** A registry holding v0000 (base) and v0001, with v0001 current. */
    private DraftRegistry withOneTrainedVersion() throws IOException {
        DraftRegistry registry = DraftRegistry.open(dataDir);
        DraftVersion v0 = registry.registerBase(base);
        DraftVersion v1 = registry.add(TinyModels.draft(), weights(5), v0.directory(), lineage("v0000", 100));
        registry.promote(v1.name());
        return registry;
    }

    @Test
    void existingRegistryIsOpenedWithoutTouchingAWriteInProgress() throws IOException {
        assertTrue(assertThrows(IOException.class, () -> DraftRegistry.existing(dataDir)).getMessage()
                .contains("no draft registry"));
        withOneTrainedVersion();
        Path inProgress = Files.createDirectories(dataDir.resolve("drafts/.tmp-v0002-123"));

        DraftRegistry reader = DraftRegistry.existing(dataDir);
        assertEquals("v0001", reader.verify("v0001").name());
        assertEquals(List.of("v0000", "v0001"), reader.list());
        assertTrue(Files.isDirectory(inProgress));
    }

    @Test
    void registersTheBaseDraftOnceAsV0000() throws IOException {
        DraftRegistry registry = DraftRegistry.open(dataDir);
        DraftVersion v0 = registry.registerBase(base);
        assertEquals("v0000", v0.name());
        assertEquals(dataDir.resolve("drafts/v0000"), v0.directory());
        assertNull(v0.manifest().parent());
        assertEquals(Files.readString(base.resolve("tokenizer.json")), Files.readString(v0.directory().resolve("tokenizer.json")));
        assertArrayEquals(Files.readAllBytes(base.resolve("model.safetensors")),
                Files.readAllBytes(v0.directory().resolve("model.safetensors")));
        assertEquals(DraftRegistry.sha256(base.resolve("model.safetensors")), v0.manifest().sha256().get("model.safetensors"));
        assertEquals("v0000\n", Files.readString(dataDir.resolve("drafts/current")));

        DraftRegistry reopened = DraftRegistry.open(dataDir);
        assertEquals("v0000", reopened.registerBase(base).name());
        assertEquals(List.of("v0000"), reopened.list());
    }

    @Test
    void addPromoteListRollback() throws IOException {
        DraftRegistry registry = withOneTrainedVersion();
        DraftVersion v1 = registry.current().orElseThrow();
        assertEquals("v0001", v1.name());
        DraftManifest manifest = v1.manifest();
        assertEquals("v0000", manifest.parent());
        assertEquals(100, manifest.steps());
        assertEquals(1000, manifest.recordsSeen());
        assertEquals(0.4, manifest.evaluationAfter().expectedAcceptance());
        assertEquals(0.3, manifest.evaluationBefore().expectedAcceptance());
        assertEquals(List.of("config.json", "model.safetensors", "tokenizer.json"), List.copyOf(manifest.sha256().keySet()));

        DraftVersion v2 = registry.add(TinyModels.draft(), weights(6), v1.directory(), lineage("v0001", 200));
        assertEquals("v0002", v2.name());
        assertEquals("v0001", registry.current().orElseThrow().name(), "adding does not make current");
        registry.promote("v0002");
        assertEquals(List.of("v0000", "v0001", "v0002"), registry.list());

        assertEquals("v0001", registry.rollback().name());
        assertEquals("v0000", registry.rollback().name());
        IllegalStateException atBase = assertThrows(IllegalStateException.class, registry::rollback);
        assertTrue(atBase.getMessage().contains("v0000 is the base draft"));
        assertEquals("v0002", registry.promote("v0002").name());
    }

    @Test
    void aVersionReloadsExactlyTheWeightsItWasGiven() throws IOException {
        DraftRegistry registry = withOneTrainedVersion();
        SortedMap<String, float[]> expected = weights(5);
        try (Transformer loaded = registry.load("v0001", Device.cpu())) {
            expected.forEach((name, values) -> assertArrayEquals(values, loaded.weights().get(name).toFloatArray(), name));
        }
    }

    @Test
    void corruptWeightsAreRefusedAndCurrentStays() throws IOException {
        DraftRegistry registry = withOneTrainedVersion();
        DraftVersion v2 = registry.add(TinyModels.draft(), weights(6), base, lineage("v0001", 200));
        Path weights = v2.directory().resolve("model.safetensors");
        try (var channel = Files.newByteChannel(weights, StandardOpenOption.WRITE)) {
            channel.position(Files.size(weights) - 3);
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        CorruptDraftException promoted = assertThrows(CorruptDraftException.class, () -> registry.promote("v0002"));
        assertTrue(promoted.getMessage().startsWith("v0002/model.safetensors does not match its manifest (sha256 "),
                promoted.getMessage());
        assertTrue(promoted.getMessage().endsWith("refusing draft v0002"), promoted.getMessage());
        assertEquals("v0001", registry.current().orElseThrow().name());
        CorruptDraftException loaded = assertThrows(CorruptDraftException.class, () -> registry.load("v0002", Device.cpu()));
        assertTrue(loaded.getMessage().contains("v0002/model.safetensors"));
        try (Transformer current = registry.load(registry.current().orElseThrow().name(), Device.cpu())) {
            assertEquals(TinyModels.VOCAB, current.config().vocabSize());
        }
    }

    @Test
    void corruptOrMissingManifestIsRefused() throws IOException {
        DraftRegistry registry = withOneTrainedVersion();
        DraftVersion v2 = registry.add(TinyModels.draft(), weights(6), base, lineage("v0001", 200));
        Path manifest = v2.directory().resolve("manifest.json");
        Files.writeString(manifest, "{\"version\": \"v0002\", \"sha256\": ");
        CorruptDraftException garbled = assertThrows(CorruptDraftException.class, () -> registry.load("v0002", Device.cpu()));
        assertTrue(garbled.getMessage().startsWith("v0002/manifest.json is not a valid manifest"), garbled.getMessage());

        Files.writeString(manifest, "{\"version\": \"v0002\", \"sha256\": {\"model.safetensors\": \"00\"}}");
        CorruptDraftException partial = assertThrows(CorruptDraftException.class, () -> registry.promote("v0002"));
        assertTrue(partial.getMessage().contains("records no checksum of config.json"), partial.getMessage());

        Files.delete(manifest);
        CorruptDraftException missing = assertThrows(CorruptDraftException.class, () -> registry.promote("v0002"));
        assertEquals("v0002/manifest.json is missing; refusing draft v0002", missing.getMessage());
        assertEquals("v0001", registry.current().orElseThrow().name());
    }

    @Test
    void crashLeftoversAreClearedAndNeverListed() throws IOException {
        withOneTrainedVersion();
        // What a crash in the middle of writing v0002 and of moving the pointer leaves behind.
        Path half = dataDir.resolve("drafts/.tmp-v0002-12345");
        Files.createDirectories(half);
        Files.writeString(half.resolve("config.json"), "{");
        Files.writeString(dataDir.resolve("drafts/current.tmp"), "v0002\n");

        DraftRegistry reopened = DraftRegistry.open(dataDir);
        try (Stream<Path> entries = Files.list(dataDir.resolve("drafts"))) {
            assertEquals(List.of("current", "v0000", "v0001"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("v0001", reopened.current().orElseThrow().name());
        assertEquals("v0002", reopened.add(TinyModels.draft(), weights(7), base, lineage("v0001", 300)).name());
    }

    @Test
    void interruptedWritesNeverLeaveAPartialVersion() throws Exception {
        DraftRegistry registry = withOneTrainedVersion();
        SortedMap<String, float[]> weights = weights(8);
        // Interrupts from before the first file to after the pointer moved (a write takes ~10-30 ms).
        for (int attempt = 0; attempt < 12; attempt++) {
            Thread writer = new Thread(() -> {
                try {
                    DraftVersion added = registry.add(TinyModels.draft(), weights, base, lineage("v0001", 1));
                    registry.promote(added.name());
                } catch (IOException e) {
                    // ClosedByInterruptException part-way through: what a crash would leave.
                }
            });
            writer.start();
            Thread.sleep(3L * attempt);
            writer.interrupt();
            writer.join();
        }
        DraftRegistry reopened = DraftRegistry.open(dataDir);
        for (String version : reopened.list()) {
            reopened.verify(version);
        }
        reopened.verify(reopened.current().orElseThrow().name());
        try (Stream<Path> entries = Files.list(dataDir.resolve("drafts"))) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
        }
    }

    @Test
    void aBaseThatIsNotACheckpointIsRefused() throws IOException {
        Files.delete(base.resolve("model.safetensors"));
        IOException e = assertThrows(IOException.class, () -> DraftRegistry.open(dataDir).registerBase(base));
        assertTrue(e.getMessage().contains("has no model.safetensors"), e.getMessage());
        assertTrue(DraftRegistry.open(dataDir).current().isEmpty());
    }
}
