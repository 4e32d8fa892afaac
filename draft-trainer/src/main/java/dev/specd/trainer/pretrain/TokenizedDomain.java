package dev.specd.trainer.pretrain;

import dev.specd.model.Tokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A domain's documents as one token stream per split: every document is preceded by the
 * end-of-text id, {@code [eot] doc₀ [eot] doc₁ …}, so a window that starts at a separator sees the
 * start of a document the way generation from a fresh prompt does.
 *
 * @param train token ids of the training documents, separators included
 * @param heldOut token ids of the held-out documents
 * @param heldOutDocumentStarts offsets in {@code heldOut} of each held-out document's first token
 *     (after its separator), where text samples take their prompts from
 */
public record TokenizedDomain(String domain, int[] train, int[] heldOut, int[] heldOutDocumentStarts,
        long trainBytes, long heldOutBytes) {

    private static final int FILE_MAGIC = 0x5350544B; // "SPTK"

    /**
     * Tokenizes the domain, or reads the token ids cached under {@code cacheDir} by an earlier run
     * with the same tokenizer and the same text (a SHA-256 of both names the cache file).
     */
    public static TokenizedDomain of(Corpus text, Tokenizer tokenizer, Path tokenizerFile, int endOfTextId,
            Path cacheDir) throws IOException {
        if (text.heldOut().isEmpty()) {
            throw new IllegalArgumentException(text.domain() + ": no held-out documents; raise the byte budget");
        }
        String fingerprint = fingerprint(text, tokenizerFile, endOfTextId);
        Path cached = cacheDir.resolve(text.domain() + "-" + fingerprint.substring(0, 16) + ".tokens");
        if (Files.isRegularFile(cached)) {
            return read(cached, text);
        }
        Stream train = encode(text.train(), tokenizer, endOfTextId);
        Stream heldOut = encode(text.heldOut(), tokenizer, endOfTextId);
        TokenizedDomain domain = new TokenizedDomain(text.domain(), train.tokens(), heldOut.tokens(),
                heldOut.documentStarts(), text.trainBytes(), text.heldOutBytes());
        Files.createDirectories(cacheDir);
        domain.write(cached);
        return domain;
    }

    private record Stream(int[] tokens, int[] documentStarts) {}

    private static Stream encode(List<String> documents, Tokenizer tokenizer, int endOfTextId) {
        int[][] encoded = new int[documents.size()][];
        long total = 0;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = tokenizer.encode(documents.get(i));
            total += 1 + encoded[i].length;
        }
        int[] tokens = new int[Math.toIntExact(total)];
        int[] starts = new int[encoded.length];
        int position = 0;
        for (int i = 0; i < encoded.length; i++) {
            tokens[position++] = endOfTextId;
            starts[i] = position;
            System.arraycopy(encoded[i], 0, tokens, position, encoded[i].length);
            position += encoded[i].length;
        }
        return new Stream(tokens, starts);
    }

    /** Little-endian: a magic number, then each array as its length and its values. */
    private void write(Path file) throws IOException {
        int[][] arrays = {train, heldOut, heldOutDocumentStarts};
        long ints = 1 + Arrays.stream(arrays).mapToLong(a -> 1 + a.length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(ints * Integer.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        IntBuffer values = bytes.asIntBuffer().put(FILE_MAGIC);
        for (int[] array : arrays) {
            values.put(array.length).put(array);
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, bytes.array());
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static TokenizedDomain read(Path file, Corpus text) throws IOException {
        IntBuffer values = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        if (values.remaining() < 4 || values.get() != FILE_MAGIC) {
            throw new IOException(file + " is not a token cache; delete it to tokenize again");
        }
        int[][] arrays = new int[3][];
        for (int a = 0; a < arrays.length; a++) {
            arrays[a] = new int[values.get()];
            values.get(arrays[a]);
        }
        return new TokenizedDomain(text.domain(), arrays[0], arrays[1], arrays[2], text.trainBytes(), text.heldOutBytes());
    }

    private static String fingerprint(Corpus text, Path tokenizerFile, int endOfTextId) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(tokenizerFile));
            digest.update(Integer.toString(endOfTextId).getBytes(StandardCharsets.UTF_8));
            for (List<String> split : List.of(text.train(), text.heldOut())) {
                digest.update(("\u0000split " + split.size()).getBytes(StandardCharsets.UTF_8));
                for (String document : split) {
                    byte[] utf8 = document.getBytes(StandardCharsets.UTF_8);
                    digest.update(("\u0000" + utf8.length + "\u0000").getBytes(StandardCharsets.UTF_8));
                    digest.update(utf8);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TokenizedDomain that && domain.equals(that.domain) && Arrays.equals(train, that.train)
                && Arrays.equals(heldOut, that.heldOut)
                && Arrays.equals(heldOutDocumentStarts, that.heldOutDocumentStarts)
                && trainBytes == that.trainBytes && heldOutBytes == that.heldOutBytes;
    }

    @Override
    public int hashCode() {
        return domain.hashCode() * 31 + Arrays.hashCode(train);
    }

    @Override
    public String toString() {
        return "TokenizedDomain[" + domain + ", " + train.length + " train tokens, " + heldOut.length + " held out]";
    }
}
