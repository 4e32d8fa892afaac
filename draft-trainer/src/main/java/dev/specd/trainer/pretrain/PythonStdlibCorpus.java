package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Python: the {@code .py} files of an installed Python's standard library, without its test suite
 * (test data includes deliberately odd files), without third-party packages and without the
 * generated codec and entity tables ({@link DataTables}).
 */
public final class PythonStdlibCorpus implements CorpusSource {

    private static final Set<String> EXCLUDED_DIRECTORIES =
            Set.of("test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__");
    private static final Pattern VERSIONED_DIRECTORY = Pattern.compile("python3\\.(\\d+)");
    private static final List<Path> INSTALL_PREFIXES = List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"));

    private final Optional<Path> stdlib;

    /** @param stdlib the library directory, empty when none was found */
    public PythonStdlibCorpus(Optional<Path> stdlib) {
        this.stdlib = stdlib;
    }

    /** The standard library of the {@code python3} on the path, else the newest under /usr/lib or /usr/local/lib. */
    public static PythonStdlibCorpus installed() {
        return new PythonStdlibCorpus(askPython().or(PythonStdlibCorpus::newestInstalled));
    }

    @Override
    public String domain() {
        return "python";
    }

    @Override
    public Provenance provenance() {
        return new Provenance(domain(), "Python standard library (" + stdlib.map(Path::toString).orElse("not found") + ")",
                "PSF-2.0");
    }

    @Override
    public Documents open() throws IOException {
        Path root = stdlib.orElseThrow(() -> new CorpusUnavailableException(
                "python: no Python 3 standard library found (asked python3, looked in /usr/lib/python3.* and"
                        + " /usr/local/lib/python3.*); install python3 or skip the python domain"));
        if (!Files.isRegularFile(root.resolve("os.py"))) {
            throw new CorpusUnavailableException("python: " + root + " is not a Python standard library (no os.py)");
        }
        return FileTreeDocuments.list(root, PythonStdlibCorpus::isLibrarySource,
                (name, bytes) -> Documents.utf8(bytes).filter(source -> !DataTables.isEscapedTable(source)));
    }

    private static boolean isLibrarySource(String relativePath) {
        List<String> parts = List.of(relativePath.split("/"));
        return relativePath.endsWith(".py")
                && parts.subList(0, parts.size() - 1).stream().noneMatch(EXCLUDED_DIRECTORIES::contains);
    }

    /** The interpreter's own answer counts first: several Pythons may be installed. */
    private static Optional<Path> askPython() {
        try {
            Process python = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!python.waitFor(30, TimeUnit.SECONDS) || python.exitValue() != 0) {
                return Optional.empty();
            }
            Path stdlib = Path.of(out);
            return Files.isRegularFile(stdlib.resolve("os.py")) ? Optional.of(stdlib) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static Optional<Path> newestInstalled() {
        return INSTALL_PREFIXES.stream()
                .filter(Files::isDirectory)
                .flatMap(PythonStdlibCorpus::children)
                .filter(dir -> VERSIONED_DIRECTORY.matcher(dir.getFileName().toString()).matches())
                .filter(dir -> Files.isRegularFile(dir.resolve("os.py")))
                .max(Comparator.comparingInt(PythonStdlibCorpus::minorVersion));
    }

    private static int minorVersion(Path dir) {
        Matcher matcher = VERSIONED_DIRECTORY.matcher(dir.getFileName().toString());
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static Stream<Path> children(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }
}
