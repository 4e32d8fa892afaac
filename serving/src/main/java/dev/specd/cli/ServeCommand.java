package dev.specd.cli;

import dev.specd.model.Backend;
import dev.specd.serving.Engine;
import dev.specd.serving.ServerConfig;
import dev.specd.serving.SpecdServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code specd serve}: the OpenAI-compatible server. Its options hold the server's defaults, once. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the OpenAI-compatible API (POST /v1/completions, POST /v1/chat/completions, GET /v1/models, "
                + "GET /health, /ready, /metrics, /admin/*) with speculative decoding, and train the draft on the "
                + "served traffic.",
                "Stops gracefully on SIGINT/SIGTERM: new requests get 503, requests in flight get --shutdown-grace to finish."})
public final class ServeCommand implements Callable<Integer> {

    /** Shared with {@code specd train}, which works on the same models and data directory. */
    static final String DEFAULT_MODELS = "models/default";
    static final String DEFAULT_DATA_DIR = "data";
    static final String DEFAULT_DEVICE = "cpu";

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--models", defaultValue = DEFAULT_MODELS, paramLabel = "DIR",
            description = "Directory holding the target/ and draft/ checkpoints; its name is the served model id "
                    + "(default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--data-dir", defaultValue = DEFAULT_DATA_DIR, paramLabel = "DIR",
            description = "Where the query log (query-log.db) and the draft versions (drafts/) live "
                    + "(default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--drafter", defaultValue = "model", paramLabel = "KIND",
            description = "What drafts tokens: model (the draft model), ngram (prompt lookup and an n-gram cache of "
                    + "served text), hybrid (n-grams when confident, else the model) or none (default ${DEFAULT-VALUE}).")
    ServerConfig.DrafterKind drafter;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "Most sequences decoded together (KV-cache slots) (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--queue", defaultValue = "256", paramLabel = "N",
            description = "Most sequences waiting for a slot; beyond it requests get 429 (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on /v1/* (default: none). Also SPECD_API_KEY.",
            defaultValue = "${env:SPECD_API_KEY}")
    String apiKey;

    @Option(names = "--admin-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' on /admin/* (default: the API key). Also SPECD_ADMIN_KEY.",
            defaultValue = "${env:SPECD_ADMIN_KEY}")
    String adminKey;

    @Option(names = "--request-timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "A request still running this long after it arrived is cut short (default ${DEFAULT-VALUE}).")
    long requestTimeoutSeconds;

    @Option(names = "--max-body", defaultValue = "1048576", paramLabel = "BYTES",
            description = "Largest request body accepted; larger ones get 413 (default ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--dtype", defaultValue = "float32", description = "Compute dtype: float32 or float16 (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--device", defaultValue = DEFAULT_DEVICE, description = "cpu, or gpu on a host with a CUDA libtorch (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "What runs the models: java (pure-Java vector kernels, cpu only) or djl (PyTorch through "
                    + "Deep Java Library, cpu or gpu) (default: java on cpu, djl on gpu).")
    Backend backend;

    @Option(names = "--min-draft-tokens", defaultValue = "0", paramLabel = "N",
            description = "Fewest tokens drafted per step; 0 lets adaptive speculation fall back to plain decoding "
                    + "when drafting does not pay, more forces drafting (default ${DEFAULT-VALUE}).")
    int minDraftTokens;

    @Option(names = "--max-draft-tokens", defaultValue = "8", paramLabel = "N",
            description = "Most tokens drafted per step; adaptive speculation picks fewer when they do not pay "
                    + "(default ${DEFAULT-VALUE}).")
    int maxDraftTokens;

    @Option(names = "--shutdown-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "How long requests in flight may go on after shutdown begins (default ${DEFAULT-VALUE}).")
    long shutdownGraceSeconds;

    @Option(names = "--trainer", defaultValue = "in-process", paramLabel = "MODE", converter = TrainerModeConverter.class,
            description = "in-process: train the draft on the query log when serving leaves spare capacity, and swap "
                    + "in the drafts it promotes; off: no training here (run 'specd train' as its own process, or "
                    + "none). Either way serving follows the draft registry's current version (default ${DEFAULT-VALUE}).")
    ServerConfig.TrainerMode trainer;

    static final class TrainerModeConverter implements CommandLine.ITypeConverter<ServerConfig.TrainerMode> {
        @Override
        public ServerConfig.TrainerMode convert(String value) {
            return ServerConfig.TrainerMode.of(value);
        }
    }

    /** The configuration these options describe. */
    public ServerConfig config() {
        return new ServerConfig(host, port, models, dataDir, drafter, maxBatch, queue, blankToNull(apiKey),
                blankToNull(adminKey), Duration.ofSeconds(requestTimeoutSeconds), maxBody, dtype, device,
                minDraftTokens, maxDraftTokens,
                Duration.ofSeconds(shutdownGraceSeconds), trainer, backend == null ? Backend.defaultFor(device) : backend);
    }

    /** Parses {@code serve} arguments with the defaults above; for tests and embedding. */
    public static ServerConfig parse(String... args) {
        ServeCommand command = new ServeCommand();
        commandLine(command).parseArgs(args);
        return command.config();
    }

    static CommandLine commandLine(ServeCommand command) {
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        try {
            Engine.checkModelsExist(config);
        } catch (IOException e) {
            System.err.println("specd serve: " + e.getMessage());
            return 1;
        }
        SpecdServer server = SpecdServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            stopped.countDown();
        }));
        try {
            server.ready().get();
        } catch (ExecutionException e) {
            System.err.println("specd serve: " + e.getCause().getMessage());
            return 1;
        }
        stopped.await();
        return 0;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
