package dev.specd.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizedDomainTest {

    @TempDir
    Path dir;

    @Test
    void documentsFollowTheirSeparatorAndTheIdsAreCachedPerTokenizerAndText() throws IOException {
        Corpus text = new Corpus(new Provenance("english", "test", "test"),
                List.of("the cat", "sat on the mat"), List.of("the dog", "ran"));
        BpeTrainer.train(List.of("the cat sat on the mat", "the dog ran"), 270, SpecialTokens.DEFAULT)
                .writeHuggingFace(dir.resolve("tokenizer"), 64);
        Path tokenizerFile = dir.resolve("tokenizer").resolve(Tokenizer.FILE_NAME);
        Path cache = dir.resolve("tokens");
        try (Tokenizer tokenizer = Tokenizer.load(dir.resolve("tokenizer"))) {
            int eot = PairTraining.endOfTextId(tokenizer);
            TokenizedDomain domain = TokenizedDomain.of(text, tokenizer, tokenizerFile, eot, cache);
            int[] dog = tokenizer.encode("the dog");
            assertEquals(eot, domain.heldOut()[0]);
            assertArrayEquals(dog, java.util.Arrays.copyOfRange(domain.heldOut(), 1, 1 + dog.length));
            assertEquals(eot, domain.heldOut()[1 + dog.length]);
            assertArrayEquals(new int[] {1, 2 + dog.length}, domain.heldOutDocumentStarts());
            assertEquals("the catsat on the mat", tokenizer.decode(domain.train()), "separators decode to nothing");

            assertEquals(domain, TokenizedDomain.of(text, tokenizer, tokenizerFile, eot, cache), "read back from the cache");
            assertEquals(1, files(cache));
            Corpus other = new Corpus(text.provenance(), List.of("the mat"), text.heldOut());
            assertNotEquals(domain, TokenizedDomain.of(other, tokenizer, tokenizerFile, eot, cache));
            assertEquals(2, files(cache), "other text, another cache file");
        }
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
