package dev.specd.serving;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.specd.model.Backend;
import dev.specd.model.CausalLM;
import dev.specd.model.ModelConfig;
import dev.specd.trainer.online.CorruptDraftException;
import dev.specd.trainer.online.DraftRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads registered draft versions for serving. A version is loaded only after every file matches
 * the checksum in its manifest, and used only if it reads the target's tokens and spans the context
 * served, so that only a sound draft ever reaches the inference thread.
 */
final class DraftLoader {

    static final String BASE_VERSION = "v0000";
    private static final Logger LOG = LoggerFactory.getLogger(DraftLoader.class);

    private final DraftRegistry registry;
    private final Lock computeLock;
    private final Backend backend;
    private final Device device;
    private final DataType dtype;
    private final ModelConfig target;

    /** @param computeLock the process's lock around native tensor work (see {@link Engine#computeLock()}) */
    DraftLoader(DraftRegistry registry, Backend backend, Device device, DataType dtype, ModelConfig target,
            Lock computeLock) {
        this.computeLock = computeLock;
        this.registry = registry;
        this.backend = backend;
        this.device = device;
        this.dtype = dtype;
        this.target = target;
    }

    DraftRegistry registry() {
        return registry;
    }

    /**
     * The draft to serve at start. Registers the bundled base draft as v0000 on first start, then
     * loads the registry's current version; when that is corrupt or does not load, its parent, and
     * so on back to v0000 (v0000 at once when the current version's manifest cannot be read, since
     * its parent is unknown then). The version that loads is made current again, so that the
     * trainer, and other servers on the same registry, follow it.
     *
     * @throws IOException when no version back to v0000 loads, naming each one's problem
     */
    ServingDraft startup(Path baseDraftDir) throws IOException {
        String current;
        try {
            current = registry.registerBase(baseDraftDir).name();
        } catch (CorruptDraftException e) {
            LOG.error("refusing the current draft version: {}; falling back to {}", e.getMessage(), BASE_VERSION);
            current = null;
        }
        String version = current == null ? BASE_VERSION : current;
        List<String> refusals = new ArrayList<>();
        while (true) {
            try {
                ServingDraft draft = new ServingDraft(version, load(version, 0));
                if (!version.equals(current)) {
                    registry.promote(version);
                    LOG.warn("draft {} is serving and current again; refused: {}", version, String.join("; ", refusals));
                }
                return draft;
            } catch (IOException | RuntimeException e) {
                refusals.add(version + " (" + e.getMessage() + ")");
                String fallback = fallback(version);
                if (fallback == null) {
                    throw new IOException("no registered draft version can serve: " + String.join("; ", refusals)
                            + ". Remove " + registry.root() + " to register the bundled draft afresh.", e);
                }
                LOG.error("cannot serve draft {}: {}; falling back to {}", version, e.getMessage(), fallback);
                version = fallback;
            }
        }
    }

    /**
     * Verifies {@code version}, checks that it fits the target, and loads it.
     *
     * @param contextLength the context already served: the draft must span at least this much
     * @throws CorruptDraftException if its files do not match its manifest
     * @throws IllegalArgumentException if it does not fit the target or the context
     */
    CausalLM load(String version, int contextLength) throws IOException {
        Path directory = check(version, contextLength);
        computeLock.lock();
        try {
            return backend.load(directory, device, dtype);
        } finally {
            computeLock.unlock();
        }
    }

    Lock computeLock() {
        return computeLock;
    }

    /** What {@link #load} checks, without loading the weights; returns the version's directory. */
    Path check(String version, int contextLength) throws IOException {
        Path directory = registry.verify(version).directory();
        ModelConfig draft = ModelConfig.read(directory);
        checkFits(draft, target, contextLength);
        return directory;
    }

    /** The draft must read the target's tokens, and span the context served. */
    static void checkFits(ModelConfig draft, ModelConfig target, int contextLength) {
        if (draft.vocabSize() != target.vocabSize()) {
            throw new IllegalArgumentException("the draft's vocabulary (" + draft.vocabSize()
                    + ") differs from the target's (" + target.vocabSize() + "): they must share a tokenizer");
        }
        if (draft.contextLength() < contextLength) {
            throw new IllegalArgumentException("the draft's context (" + draft.contextLength()
                    + " tokens) is shorter than the " + contextLength + " served");
        }
    }

    /** The version to try after {@code version}: its parent, v0000 when unknown, null after v0000. */
    private String fallback(String version) {
        if (version.equals(BASE_VERSION)) {
            return null;
        }
        try {
            String parent = registry.manifest(version).parent();
            return parent == null ? BASE_VERSION : parent;
        } catch (IOException e) {
            return BASE_VERSION;
        }
    }
}
