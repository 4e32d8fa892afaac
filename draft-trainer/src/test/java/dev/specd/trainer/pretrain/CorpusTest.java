package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CorpusTest {

    /** Documents named doc-N whose text is "text of doc-N" padded to 100 bytes. */
    private record InMemorySource(List<String> names) implements CorpusSource {
        @Override
        public String domain() {
            return "memory";
        }

        @Override
        public Provenance provenance() {
            return new Provenance(domain(), "test documents", "CC0-1.0");
        }

        @Override
        public Documents open() {
            return new Documents() {
                @Override
                public List<String> names() {
                    return names;
                }

                @Override
                public Optional<String> read(String name) {
                    return Optional.of(text(name));
                }
            };
        }

        static String text(String name) {
            return String.format("%-100s", "text of " + name);
        }
    }

    private static List<String> names(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("doc-" + i);
        }
        return names;
    }

    @Test
    void holdsOutAboutOneDocumentInFifty() throws IOException {
        Corpus corpus = Corpus.load(new InMemorySource(names(10_000)), Long.MAX_VALUE);
        assertEquals(10_000, corpus.train().size() + corpus.heldOut().size());
        assertTrue(corpus.heldOut().size() > 150 && corpus.heldOut().size() < 250, "held out " + corpus.heldOut().size());
    }

    @Test
    void stopsAtTheByteBudget() throws IOException {
        Corpus corpus = Corpus.load(new InMemorySource(names(1000)), 2_050);
        assertEquals(2_100, corpus.trainBytes() + corpus.heldOutBytes());
    }

    @Test
    void listingOrderDoesNotMatterAndLargerBudgetsTakeSupersets() throws IOException {
        List<String> shuffled = new ArrayList<>(names(2000));
        Collections.shuffle(shuffled, new Random(5));
        Corpus small = Corpus.load(new InMemorySource(names(2000)), 20_000);
        Corpus sameFromShuffled = Corpus.load(new InMemorySource(shuffled), 20_000);
        Corpus large = Corpus.load(new InMemorySource(names(2000)), 100_000);
        assertEquals(small, sameFromShuffled);
        assertTrue(large.train().containsAll(small.train()));
        assertTrue(large.heldOut().containsAll(small.heldOut()));
        Set<String> sides = new HashSet<>(large.train());
        assertTrue(large.heldOut().stream().noneMatch(sides::contains));
    }

    @Test
    void samplesAcrossTheWholeSourceRatherThanItsFirstFiles() throws IOException {
        Corpus corpus = Corpus.load(new InMemorySource(names(1000)), 10_000);
        assertTrue(corpus.train().stream().anyMatch(text -> text.startsWith("text of doc-9")), corpus.train().toString());
    }

    @Test
    void unavailableSourcesAreSkippedWithTheirReason() throws IOException {
        CorpusSource missing = new JdkSourceCorpus(java.nio.file.Path.of("/nonexistent/lib/src.zip"));
        Map<String, String> skipped = new LinkedHashMap<>();
        List<Corpus> loaded = CorpusSources.loadAvailable(List.of(missing, new InMemorySource(names(10))), 1_000,
                (domain, reason) -> skipped.put(domain, reason.getMessage()));
        assertEquals(List.of("memory"), loaded.stream().map(Corpus::domain).toList());
        assertTrue(skipped.get("java").contains("/nonexistent/lib/src.zip not found"), skipped.toString());
        assertThrows(CorpusUnavailableException.class, () -> Corpus.load(new InMemorySource(List.of()), 1_000));
    }
}
