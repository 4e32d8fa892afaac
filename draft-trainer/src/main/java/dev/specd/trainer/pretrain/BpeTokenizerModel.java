package dev.specd.trainer.pretrain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * A trained byte-level BPE tokenizer. Ids: the special tokens first, then the 256 bytes in byte
 * order, then one id per distinct merge result in the order merges were learned (two merges may
 * spell the same token, as in Hugging Face's trainer; they then share its id).
 *
 * <p>{@link #encode} is a plain Java implementation of what the {@code tokenizer.json} written by
 * {@link #writeHuggingFace} does, so the pretraining pipeline can tokenize without native code and
 * tests can check that both agree.
 */
public final class BpeTokenizerModel {

    /** Adjacent tokens {@code left} and {@code right} become {@code result}; the index in {@link #merges()} is the rank. */
    public record Merge(int left, int right, int result) {}

    private static final int PIECE_CACHE_LIMIT = 1 << 20;

    private final SpecialTokens specialTokens;
    private final List<byte[]> tokenBytes;
    private final List<Merge> merges;
    private final Map<Long, Integer> rankByPair;
    private final PreTokenizer preTokenizer;
    /** Most pieces of real text recur, so their ids are remembered, up to a bound. */
    private final Map<String, int[]> pieceIds = new ConcurrentHashMap<>();

    BpeTokenizerModel(SpecialTokens specialTokens, List<byte[]> tokenBytes, List<Merge> merges) {
        this.specialTokens = specialTokens;
        this.tokenBytes = List.copyOf(tokenBytes);
        this.merges = List.copyOf(merges);
        this.rankByPair = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            rankByPair.put(pairKey(merges.get(rank).left(), merges.get(rank).right()), rank);
        }
        this.preTokenizer = new PreTokenizer(specialTokens);
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | right;
    }

    /** The id of the first of the 256 byte tokens. */
    static int firstByteId(SpecialTokens specialTokens) {
        return specialTokens.all().size();
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    public int vocabSize() {
        return tokenBytes.size();
    }

    public List<Merge> merges() {
        return merges;
    }

    /** Token {@code id} in GPT-2's byte-to-unicode spelling, as {@code tokenizer.json} lists it. */
    public String token(int id) {
        return id < specialTokens.all().size()
                ? specialTokens.all().get(id)
                : ByteLevelAlphabet.encode(tokenBytes.get(id));
    }

    /** Token ids of {@code text}, special tokens in it included, without a BOS. */
    public int[] encode(String text) {
        IntStream.Builder ids = IntStream.builder();
        preTokenizer.split(text,
                special -> ids.add(specialTokens.all().indexOf(special)),
                piece -> {
                    int[] cached = pieceIds.get(piece);
                    if (cached == null) {
                        cached = encodePiece(piece);
                        if (pieceIds.size() < PIECE_CACHE_LIMIT) {
                            pieceIds.put(piece, cached);
                        }
                    }
                    for (int id : cached) {
                        ids.add(id);
                    }
                });
        return ids.build().toArray();
    }

    private int[] encodePiece(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int byteBase = firstByteId(specialTokens);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = byteBase + (bytes[i] & 0xFF);
        }
        return Arrays.copyOf(symbols, applyMerges(symbols));
    }

    /** The text of {@code ids}; special tokens decode to their spelling. */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(tokenBytes.get(id));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public void writeHuggingFace(Path dir, int modelMaxLength) throws IOException {
        HuggingFaceTokenizerWriter.write(this, dir, modelMaxLength);
    }

    /**
     * Repeatedly merges, everywhere in the piece, the adjacent pair that was learned first. Returns
     * the number of symbols left at the front of {@code symbols}. Hugging Face merges one occurrence
     * at a time, lowest rank then leftmost first; that reaches the same result because any pair that
     * a merge creates was learned after that merge.
     */
    private int applyMerges(int[] symbols) {
        int length = symbols.length;
        while (length > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < length; i++) {
                Integer rank = rankByPair.get(pairKey(symbols[i], symbols[i + 1]));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                }
            }
            if (bestRank == Integer.MAX_VALUE) {
                break;
            }
            Merge merge = merges.get(bestRank);
            int out = 0;
            for (int i = 0; i < length; i++) {
                if (i + 1 < length && symbols[i] == merge.left() && symbols[i + 1] == merge.right()) {
                    symbols[out++] = merge.result();
                    i++;
                } else {
                    symbols[out++] = symbols[i];
                }
            }
            length = out;
        }
        return length;
    }
}
