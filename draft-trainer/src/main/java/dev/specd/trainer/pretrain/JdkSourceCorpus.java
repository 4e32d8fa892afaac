package dev.specd.trainer.pretrain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Java: the class library sources that a full JDK ships as {@code lib/src.zip}, each file without
 * its leading copyright comment: the same 25 lines in every file would be memorised and teach
 * nothing (the licence still applies and is recorded in {@link #provenance()}). Generated tables
 * are left out: the locale and charset modules (a fifth of the zip) and, elsewhere, files that are
 * mostly escapes ({@link DataTables}).
 */
public final class JdkSourceCorpus implements CorpusSource {

    private static final Set<String> DATA_MODULES = Set.of("jdk.localedata", "jdk.charsets");

    private final Path srcZip;

    public JdkSourceCorpus(Path srcZip) {
        this.srcZip = srcZip;
    }

    /** The sources of the JDK this program runs on. */
    public static JdkSourceCorpus ofRunningJdk() {
        return new JdkSourceCorpus(Path.of(System.getProperty("java.home"), "lib", "src.zip"));
    }

    @Override
    public String domain() {
        return "java";
    }

    @Override
    public Provenance provenance() {
        return new Provenance(domain(), "OpenJDK class library sources (" + srcZip + ")",
                "GPL-2.0-only WITH Classpath-exception-2.0");
    }

    @Override
    public Documents open() throws IOException {
        if (!Files.isRegularFile(srcZip)) {
            throw new CorpusUnavailableException("java: " + srcZip + " not found; run on a full JDK that ships"
                    + " lib/src.zip (Temurin does; Debian's openjdk needs the openjdk-*-source package) or skip the java domain");
        }
        ZipFile zip = new ZipFile(srcZip.toFile());
        List<String> names = zip.stream()
                .filter(entry -> !entry.isDirectory() && entry.getName().endsWith(".java"))
                .map(ZipEntry::getName)
                .filter(name -> !DATA_MODULES.contains(name.substring(0, Math.max(0, name.indexOf('/')))))
                .sorted()
                .toList();
        return new Documents() {
            @Override
            public List<String> names() {
                return names;
            }

            @Override
            public Optional<String> read(String name) throws IOException {
                try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
                    return Documents.utf8(in.readAllBytes())
                            .filter(source -> !DataTables.isEscapedTable(source))
                            .map(JdkSourceCorpus::withoutCopyrightHeader);
                }
            }

            @Override
            public void close() throws IOException {
                zip.close();
            }
        };
    }

    static String withoutCopyrightHeader(String source) {
        String text = source.stripLeading();
        int end = text.indexOf("*/");
        if (!text.startsWith("/*") || end < 0 || !text.substring(0, end).contains("Copyright")) {
            return source;
        }
        return text.substring(end + 2).stripLeading();
    }
}
