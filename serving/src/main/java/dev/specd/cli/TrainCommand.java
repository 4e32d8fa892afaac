package dev.specd.cli;

import ai.djl.Device;
import dev.specd.serving.Engine;
import dev.specd.serving.ServerConfig;
import dev.specd.trainer.online.OnlineStatus;
import dev.specd.trainer.online.OnlineTrainer;
import dev.specd.trainer.online.OnlineTrainerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code specd train}: the online trainer as a process of its own, on the query log and the draft
 * registry of a data directory that a server writes ({@code specd serve --trainer off}). Servers
 * poll the registry and swap in the drafts it promotes.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the draft on the query log of a data directory, as a process of its own, and publish "
                + "the drafts that evaluate better to its registry (drafts/), where 'specd serve' picks them up.",
                "Trains whenever it can: give it a machine (or cores) of its own, and run serve with --trainer off. "
                        + "Stops on SIGINT/SIGTERM after the step in progress."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--data-dir", defaultValue = ServeCommand.DEFAULT_DATA_DIR, paramLabel = "DIR",
            description = "The data directory a server writes: its query-log.db is read, drafts/ written "
                    + "(default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--models", defaultValue = ServeCommand.DEFAULT_MODELS, paramLabel = "DIR",
            description = "Holds the target/ and draft/ checkpoints; draft/ is registered as v0000 on first start "
                    + "(default ${DEFAULT-VALUE}).")
    Path models;

    @Option(names = "--device", defaultValue = ServeCommand.DEFAULT_DEVICE,
            description = "cpu, or gpu on a host with a CUDA libtorch (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--run-for", paramLabel = "SECONDS",
            description = "Stop after this long (default: run until stopped).")
    Long runForSeconds;

    @Override
    public Integer call() throws Exception {
        Path target = models.resolve(ServerConfig.TARGET_DIR);
        Path draft = models.resolve(ServerConfig.DRAFT_DIR);
        try {
            Engine.checkModelDir(target, "target");
            Engine.checkModelDir(draft, "draft");
        } catch (IOException e) {
            System.err.println("specd train: " + e.getMessage());
            return 1;
        }
        OnlineTrainerMain.Options defaults = OnlineTrainerMain.Options.defaults();
        OnlineStatus status = OnlineTrainerMain.run(dataDir, draft, target, defaults
                .withConfig(defaults.config().withDevice(Device.fromName(device)))
                .withRunFor(runForSeconds == null ? null : Duration.ofSeconds(runForSeconds)));
        System.out.printf("specd train: %s after %d steps, %d promotions; serving version %s%n",
                status.state().name().toLowerCase(Locale.ROOT), status.steps(), status.promotions(),
                status.servingVersion());
        if (status.state() == OnlineTrainer.State.FAILED) {
            System.err.println("specd train: " + status.lastError());
            return 1;
        }
        return 0;
    }
}
