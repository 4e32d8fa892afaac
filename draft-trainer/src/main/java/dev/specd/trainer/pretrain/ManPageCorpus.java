package dev.specd.trainer.pretrain;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * Technical English: the English man pages installed on this machine (sections 1 to 9, not the
 * translations), from roff source to plain text. What is there depends on the installed packages.
 *
 * <p>Some tools generate a page per subcommand from one template (the Google Cloud CLI installs
 * over 16,000, two thirds of the pages on a machine that has it), so each family of pages, named
 * by the text before the first {@code _}, {@code -} or {@code .}, keeps at most
 * {@value #PAGES_PER_FAMILY} of them, a fixed pseudo-random choice.
 */
public final class ManPageCorpus implements CorpusSource {

    /** {@code man1/ls.1.gz}; translations sit in {@code de/man1/...} and are left out. */
    private static final Pattern ENGLISH_PAGE = Pattern.compile("man[1-9][^/]*/[^/]+\\.[0-9][^/]*");

    static final int PAGES_PER_FAMILY = 200;

    private static final Pattern FAMILY_END = Pattern.compile("[_.-]");

    private final Path manRoot;

    public ManPageCorpus(Path manRoot) {
        this.manRoot = manRoot;
    }

    public static ManPageCorpus system() {
        return new ManPageCorpus(Path.of("/usr/share/man"));
    }

    @Override
    public String domain() {
        return "man";
    }

    @Override
    public Provenance provenance() {
        return new Provenance(domain(), "English man pages installed under " + manRoot,
                "each page under its package's licence (GPL, BSD, MIT, Apache and others); see"
                        + " /usr/share/doc/<package>/copyright");
    }

    @Override
    public Documents open() throws IOException {
        if (!Files.isDirectory(manRoot)) {
            throw new CorpusUnavailableException("man: " + manRoot + " does not exist; install man pages (apt-get install"
                    + " man-db manpages; minimal images may exclude /usr/share/man in /etc/dpkg/dpkg.cfg.d) or skip the man domain");
        }
        FileTreeDocuments pages = FileTreeDocuments.list(manRoot, name -> ENGLISH_PAGE.matcher(name).matches(),
                (name, bytes) -> Documents.utf8(name.endsWith(".gz") ? gunzip(bytes) : bytes).flatMap(RoffText::toText))
                .keeping(ManPageCorpus::capFamilies);
        if (pages.names().isEmpty()) {
            throw new CorpusUnavailableException("man: no man pages under " + manRoot + "; install some (apt-get install"
                    + " manpages) or skip the man domain");
        }
        return pages;
    }

    private static List<String> capFamilies(List<String> names) {
        Map<String, List<String>> families = names.stream().collect(Collectors.groupingBy(ManPageCorpus::family));
        return families.values().stream()
                .flatMap(family -> family.stream()
                        .sorted(Comparator.comparingInt(String::hashCode).thenComparing(Comparator.naturalOrder()))
                        .limit(PAGES_PER_FAMILY))
                .sorted()
                .toList();
    }

    /** {@code man1/gcloud_compute_ssh.1.gz} and {@code man1/gcloud.1.gz} are both family {@code gcloud}. */
    static String family(String name) {
        String page = name.substring(name.lastIndexOf('/') + 1);
        Matcher end = FAMILY_END.matcher(page);
        return end.find() ? page.substring(0, end.start()) : page;
    }

    private static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
