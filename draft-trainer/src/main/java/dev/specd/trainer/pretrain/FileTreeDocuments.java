package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The regular files under a directory that a filter accepts, named by their path relative to it
 * (with {@code /}). Symbolic links are left out: they alias files already listed.
 */
final class FileTreeDocuments implements CorpusSource.Documents {

    /** Turns a file's bytes into training text, or empty to skip the file. */
    interface Reader {
        Optional<String> read(String name, byte[] bytes) throws IOException;
    }

    private final Path root;
    private final List<String> names;
    private final Reader reader;

    private FileTreeDocuments(Path root, List<String> names, Reader reader) {
        this.root = root;
        this.names = names;
        this.reader = reader;
    }

    /** Lists the files under {@code root} whose relative path {@code include} accepts. */
    static FileTreeDocuments list(Path root, Predicate<String> include, Reader reader) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = files
                    .filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .map(file -> root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/"))
                    .filter(include)
                    .sorted()
                    .toList();
            return new FileTreeDocuments(root, names, reader);
        }
    }

    /** The same files, only those {@code keep} returns (a subset of {@link #names()}). */
    FileTreeDocuments keeping(UnaryOperator<List<String>> keep) {
        return new FileTreeDocuments(root, List.copyOf(keep.apply(names)), reader);
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Optional<String> read(String name) throws IOException {
        return reader.read(name, Files.readAllBytes(root.resolve(name)));
    }
}
