package dev.specd.trainer.online;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.specd.model.ModelConfig;
import dev.specd.model.Tokenizer;
import dev.specd.model.llama.LlamaWeights;
import dev.specd.model.llama.Transformer;
import dev.specd.model.safetensors.DType;
import dev.specd.model.safetensors.SafetensorsReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Draft versions under {@code <dataDir>/drafts/}:
 *
 * <pre>
 * drafts/v0000/   the bundled base draft, registered at first start
 *        v0001/   config.json, model.safetensors (F32), tokenizer.json, manifest.json
 *        current  the name of the version serving uses, one line
 * </pre>
 *
 * <p>Crash safety: a version is written into a {@code .tmp-} directory, synced, and renamed into
 * place in one atomic step, so a version directory is complete or absent; leftovers of a crash are
 * deleted by {@link #open}. {@code current} is replaced the same way. A version is loaded or made
 * current only after every file matches the SHA-256 in its manifest, so a corrupt checkpoint is
 * refused and whatever served before keeps serving.
 *
 * <p>One process writes (the trainer); any number read. Writers in this process are serialised.
 */
public final class DraftRegistry {

    public static final String DIRECTORY = "drafts";
    public static final String CURRENT = "current";
    public static final String CONFIG_FILE = ModelConfig.FILE_NAME;
    public static final String WEIGHTS_FILE = SafetensorsReader.SINGLE_FILE;
    public static final String TOKENIZER_FILE = Tokenizer.FILE_NAME;
    private static final String TEMPORARY_PREFIX = ".tmp-";
    private static final Pattern VERSION = Pattern.compile("v(\\d{4,})");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    private DraftRegistry(Path root) {
        this.root = root;
    }

    /** Opens (creating) {@code <dataDir>/drafts} and deletes what a crash left half-written. */
    public static DraftRegistry open(Path dataDir) throws IOException {
        Path root = dataDir.resolve(DIRECTORY);
        Files.createDirectories(root);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, TEMPORARY_PREFIX + "*")) {
            for (Path leftover : entries) {
                deleteRecursively(leftover);
            }
        }
        Files.deleteIfExists(root.resolve(CURRENT + ".tmp"));
        return new DraftRegistry(root);
    }

    /**
     * Opens an existing {@code <dataDir>/drafts} for reading only: unlike {@link #open} it creates
     * and deletes nothing, so it is safe beside a running trainer that may be writing a version.
     */
    public static DraftRegistry existing(Path dataDir) throws IOException {
        Path root = dataDir.resolve(DIRECTORY);
        if (!Files.isDirectory(root)) {
            throw new IOException("no draft registry at " + root);
        }
        return new DraftRegistry(root);
    }

    public Path root() {
        return root;
    }

    /**
     * Registers the bundled base draft as v0000 and makes it current, once: when a current version
     * exists already, returns it untouched. The files are copied as they are (any dtype the model
     * loads), from a single-file Hugging Face checkpoint.
     */
    public synchronized DraftVersion registerBase(Path baseDraftDir) throws IOException {
        Optional<DraftVersion> current = current();
        if (current.isPresent()) {
            return current.get();
        }
        String base = name(0);
        if (!Files.isDirectory(root.resolve(base))) {
            ModelConfig config = ModelConfig.read(baseDraftDir);
            Path weights = baseDraftDir.resolve(WEIGHTS_FILE);
            if (!Files.isRegularFile(weights)) {
                throw new IOException("the base draft in " + baseDraftDir + " has no " + WEIGHTS_FILE
                        + " (a single-file checkpoint is needed)");
            }
            try (SafetensorsReader reader = SafetensorsReader.open(baseDraftDir)) {
                reader.verifyShapes(LlamaWeights.shapes(config));
            }
            writeVersion(base, DraftManifest.Lineage.BASE, directory -> {
                Files.copy(baseDraftDir.resolve(CONFIG_FILE), directory.resolve(CONFIG_FILE));
                Files.copy(weights, directory.resolve(WEIGHTS_FILE));
                copyTokenizer(baseDraftDir, directory);
            });
        }
        return promote(base);
    }

    /**
     * Writes a trained draft as the next version (float32 safetensors, so it reloads exactly, with
     * the tokenizer of {@code tokenizerFrom}). It does not become current: see {@link #promote}.
     */
    public synchronized DraftVersion add(ModelConfig config, SortedMap<String, float[]> weights, Path tokenizerFrom,
            DraftManifest.Lineage lineage) throws IOException {
        String version = name(list().stream().mapToInt(DraftRegistry::number).max().orElse(-1) + 1);
        return writeVersion(version, lineage, directory -> {
            LlamaWeights.write(directory, config, weights, DType.F32);
            copyTokenizer(tokenizerFrom, directory);
        });
    }

    private interface Contents {
        void writeInto(Path directory) throws IOException;
    }

    private DraftVersion writeVersion(String version, DraftManifest.Lineage lineage, Contents contents)
            throws IOException {
        Path temporary = Files.createTempDirectory(root, TEMPORARY_PREFIX + version + "-");
        try {
            contents.writeInto(temporary);
            SortedMap<String, String> sha256 = new TreeMap<>();
            try (Stream<Path> files = Files.list(temporary)) {
                for (Path file : files.sorted().toList()) {
                    sha256.put(file.getFileName().toString(), sha256(file));
                    sync(file);
                }
            }
            DraftManifest manifest = lineage.toManifest(version, Instant.now().toString(), sha256);
            Path manifestFile = temporary.resolve(DraftManifest.FILE_NAME);
            JSON.writeValue(manifestFile.toFile(), manifest);
            sync(manifestFile);
            sync(temporary);
            Path target = root.resolve(version);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            sync(root);
            return new DraftVersion(version, target, manifest);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temporary);
            throw e;
        }
    }

    /**
     * Makes {@code version} current after verifying it.
     *
     * @throws CorruptDraftException if its files do not match its manifest; current is unchanged
     */
    public synchronized DraftVersion promote(String version) throws IOException {
        DraftVersion verified = verify(version);
        Path pointer = root.resolve(CURRENT + ".tmp");
        Files.writeString(pointer, version + "\n", StandardCharsets.UTF_8);
        sync(pointer);
        Files.move(pointer, root.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        sync(root);
        return verified;
    }

    /**
     * Makes the current version's parent current again (after verifying it).
     *
     * @throws IllegalStateException when the current version is the base draft
     */
    public synchronized DraftVersion rollback() throws IOException {
        DraftVersion current = current().orElseThrow(() -> new IllegalStateException("no current draft version"));
        String parent = current.manifest().parent();
        if (parent == null) {
            throw new IllegalStateException(current.name() + " is the base draft: there is nothing to roll back to");
        }
        return promote(parent);
    }

    /** The version serving should use; empty before the base draft is registered. */
    public Optional<DraftVersion> current() throws IOException {
        Path pointer = root.resolve(CURRENT);
        if (!Files.exists(pointer)) {
            return Optional.empty();
        }
        String version = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        if (!VERSION.matcher(version).matches() || !Files.isDirectory(root.resolve(version))) {
            throw new IOException(pointer + " names '" + version + "', which is not a registered draft version");
        }
        return Optional.of(new DraftVersion(version, root.resolve(version), manifest(version)));
    }

    /** Every registered version's name, oldest first. */
    public List<String> list() throws IOException {
        List<String> versions = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (VERSION.matcher(name).matches()) {
                    versions.add(name);
                }
            }
        }
        versions.sort(Comparator.comparingInt(DraftRegistry::number));
        return versions;
    }

    /** The manifest of {@code version}, parsed but not checked against the files. */
    public DraftManifest manifest(String version) throws IOException {
        Path file = directory(version).resolve(DraftManifest.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new CorruptDraftException(version + "/" + DraftManifest.FILE_NAME + " is missing; refusing draft "
                    + version);
        }
        DraftManifest manifest;
        try {
            manifest = JSON.readValue(file.toFile(), DraftManifest.class);
        } catch (JacksonException e) {
            throw new CorruptDraftException(version + "/" + DraftManifest.FILE_NAME + " is not a valid manifest ("
                    + e.getOriginalMessage() + "); refusing draft " + version, e);
        }
        if (!version.equals(manifest.version())) {
            throw new CorruptDraftException(version + "/" + DraftManifest.FILE_NAME + " describes version '"
                    + manifest.version() + "'; refusing draft " + version);
        }
        return manifest;
    }

    /**
     * Checks every file of {@code version} against the SHA-256 its manifest records.
     *
     * @throws CorruptDraftException naming the first file that is missing or differs
     */
    public DraftVersion verify(String version) throws IOException {
        DraftManifest manifest = manifest(version);
        Path directory = directory(version);
        SortedMap<String, String> expected = manifest.sha256();
        for (String required : List.of(CONFIG_FILE, WEIGHTS_FILE)) {
            if (!expected.containsKey(required)) {
                throw new CorruptDraftException(version + "/" + DraftManifest.FILE_NAME + " records no checksum of "
                        + required + "; refusing draft " + version);
            }
        }
        for (var entry : expected.entrySet()) {
            Path file = directory.resolve(entry.getKey());
            if (!file.normalize().startsWith(directory) || !Files.isRegularFile(file)) {
                throw new CorruptDraftException(version + "/" + entry.getKey() + " is missing; refusing draft " + version);
            }
            String actual = sha256(file);
            if (!actual.equals(entry.getValue())) {
                throw new CorruptDraftException(version + "/" + entry.getKey() + " does not match its manifest (sha256 "
                        + actual + ", expected " + entry.getValue() + "); refusing draft " + version);
            }
        }
        return new DraftVersion(version, directory, manifest);
    }

    /**
     * Loads {@code version} for inference after {@link #verify verifying} it.
     *
     * @throws CorruptDraftException if it does not verify: keep serving the draft already loaded
     */
    public Transformer load(String version, Device device) throws IOException {
        return Transformer.load(verify(version).directory(), device, DataType.FLOAT32);
    }

    public Path directory(String version) {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a draft version name (vNNNN)");
        }
        return root.resolve(version);
    }

    static String name(int number) {
        return String.format("v%04d", number);
    }

    private static int number(String version) {
        return Integer.parseInt(version.substring(1));
    }

    private static void copyTokenizer(Path from, Path directory) throws IOException {
        Path tokenizer = from.resolve(TOKENIZER_FILE);
        if (Files.isRegularFile(tokenizer)) {
            Files.copy(tokenizer, directory.resolve(TOKENIZER_FILE));
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Flushes a file, or a directory's entries, to the disk. */
    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path entry : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        }
    }
}
