package dev.specd.trainer.pretrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns byte-level BPE merges, GPT-2 style: pre-tokenize, count distinct pieces ("words"), then
 * repeatedly merge the most frequent adjacent pair of tokens until the vocabulary has the requested
 * size. Ties go to the pair with the smaller left id, then the smaller right id, so the same
 * documents always give the same tokenizer.
 *
 * <p>Cost: counting is one regex pass over the text, in parallel. Each merge then touches only the
 * words that contain the pair (every pair keeps the list of words it was seen in; entries go stale
 * rather than being removed) and updates the counts of the pairs next to each occurrence. The most
 * frequent pair comes from a priority queue whose entries are checked against the live count when
 * they surface. Counts only grow for pairs that take part in the current merge's result, and those
 * are queued afresh after it; every other count only falls, so a stale entry overstates its pair
 * and is simply queued again with the current count when it comes up.
 */
public final class BpeTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(BpeTrainer.class);

    private static final Comparator<Candidate> MOST_FREQUENT_FIRST = Comparator
            .comparingLong(Candidate::count).reversed()
            .thenComparingInt(candidate -> candidate.pair().left)
            .thenComparingInt(candidate -> candidate.pair().right);

    private final int[][] wordSymbols;
    private final int[] wordLengths;
    private final long[] wordCounts;
    private final Map<Long, Pair> pairs = new HashMap<>();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>(MOST_FREQUENT_FIRST);
    private final List<byte[]> tokenBytes = new ArrayList<>();
    private final Map<String, Integer> idByToken = new HashMap<>();
    private final List<BpeTokenizerModel.Merge> merges = new ArrayList<>();
    private final List<Pair> grownThisMerge = new ArrayList<>();

    private BpeTrainer(SpecialTokens specialTokens, List<String> words, List<Long> counts) {
        // Special tokens are not byte strings BPE could reach, so merges never look them up.
        for (String special : specialTokens.all()) {
            tokenBytes.add(special.getBytes(StandardCharsets.UTF_8));
        }
        for (int b = 0; b < 256; b++) {
            addToken(new byte[] {(byte) b});
        }
        int byteBase = BpeTokenizerModel.firstByteId(specialTokens);
        wordSymbols = new int[words.size()][];
        wordLengths = new int[words.size()];
        wordCounts = new long[words.size()];
        for (int w = 0; w < words.size(); w++) {
            byte[] bytes = words.get(w).getBytes(StandardCharsets.UTF_8);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                symbols[i] = byteBase + (bytes[i] & 0xFF);
            }
            wordSymbols[w] = symbols;
            wordLengths[w] = symbols.length;
            wordCounts[w] = counts.get(w);
            for (int i = 0; i + 1 < symbols.length; i++) {
                addToPair(symbols[i], symbols[i + 1], wordCounts[w], w);
            }
        }
        pairs.values().forEach(pair -> queue.add(new Candidate(pair.count, pair)));
    }

    /**
     * Trains on {@code documents} until the vocabulary (special tokens and the 256 bytes included)
     * has {@code vocabSize} tokens, or fewer if the documents run out of pairs to merge.
     */
    public static BpeTokenizerModel train(Iterable<String> documents, int vocabSize, SpecialTokens specialTokens) {
        int minimum = BpeTokenizerModel.firstByteId(specialTokens) + 256;
        if (vocabSize < minimum) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is below the " + minimum
                    + " tokens that special tokens and bytes take");
        }
        long start = System.nanoTime();
        Map<String, Long> pieceCounts = countPieces(documents, new PreTokenizer(specialTokens));
        List<String> words = pieceCounts.keySet().stream().sorted().toList();
        List<Long> counts = words.stream().map(pieceCounts::get).toList();
        LOG.info("pre-tokenized into {} distinct pieces in {} ms", words.size(), (System.nanoTime() - start) / 1_000_000);
        BpeTrainer trainer = new BpeTrainer(specialTokens, words, counts);
        trainer.learnMerges(vocabSize);
        LOG.info("learned {} merges, vocabulary {}, in {} ms total", trainer.merges.size(),
                trainer.tokenBytes.size(), (System.nanoTime() - start) / 1_000_000);
        return new BpeTokenizerModel(specialTokens, trainer.tokenBytes, trainer.merges);
    }

    private static Map<String, Long> countPieces(Iterable<String> documents, PreTokenizer preTokenizer) {
        Stream<String> stream = documents instanceof Collection<String> collection
                ? collection.parallelStream()
                : StreamSupport.stream(documents.spliterator(), true);
        return stream.collect(
                HashMap::new,
                (counts, document) -> preTokenizer.split(document, special -> {},
                        piece -> counts.merge(piece, 1L, Long::sum)),
                (into, from) -> from.forEach((piece, count) -> into.merge(piece, count, Long::sum)));
    }

    private void learnMerges(int vocabSize) {
        while (tokenBytes.size() < vocabSize) {
            Pair best = mostFrequentPair();
            if (best == null) {
                LOG.warn("documents ran out of pairs at vocabulary size {} (asked for {})", tokenBytes.size(), vocabSize);
                return;
            }
            byte[] joined = concat(tokenBytes.get(best.left), tokenBytes.get(best.right));
            Integer existing = idByToken.get(ByteLevelAlphabet.encode(joined));
            int result = existing != null ? existing : addToken(joined);
            merges.add(new BpeTokenizerModel.Merge(best.left, best.right, result));
            mergeEverywhere(best, result);
            if (merges.size() % 1000 == 0) {
                LOG.info("{} merges, last one seen {} times", merges.size(), best.count);
            }
        }
    }

    private Pair mostFrequentPair() {
        while (!queue.isEmpty()) {
            Candidate top = queue.poll();
            Pair pair = top.pair();
            if (pair.merged || pair.count <= 0) {
                continue;
            }
            if (pair.count == top.count()) {
                return pair;
            }
            queue.add(new Candidate(pair.count, pair));
        }
        return null;
    }

    private void mergeEverywhere(Pair merged, int result) {
        merged.merged = true;
        pairs.remove(BpeTokenizerModel.pairKey(merged.left, merged.right));
        grownThisMerge.clear();
        for (int k = 0; k < merged.wordCount; k++) {
            mergeInWord(merged.words[k], merged.left, merged.right, result);
        }
        for (Pair grown : grownThisMerge) {
            queue.add(new Candidate(grown.count, grown));
        }
        merged.words = null;
    }

    /**
     * Rewrites word {@code w} in place, left to right, and moves the counts of the neighbouring
     * pairs of each occurrence from the old tokens to the new one. The left neighbour is read from
     * the rewritten part, so back-to-back occurrences ({@code a b a b}) are counted right.
     */
    private void mergeInWord(int w, int left, int right, int result) {
        int[] symbols = wordSymbols[w];
        int length = wordLengths[w];
        long count = wordCounts[w];
        int out = 0;
        int i = 0;
        while (i < length) {
            if (i + 1 < length && symbols[i] == left && symbols[i + 1] == right) {
                if (out > 0) {
                    int previous = symbols[out - 1];
                    removeFromPair(previous, left, count);
                    addToPair(previous, result, count, w);
                }
                if (i + 2 < length) {
                    int next = symbols[i + 2];
                    removeFromPair(right, next, count);
                    addToPair(result, next, count, w);
                }
                symbols[out++] = result;
                i += 2;
            } else {
                symbols[out++] = symbols[i++];
            }
        }
        wordLengths[w] = out;
    }

    private void addToPair(int left, int right, long count, int word) {
        Pair pair = pairs.computeIfAbsent(BpeTokenizerModel.pairKey(left, right), key -> new Pair(left, right));
        pair.count += count;
        pair.addWord(word);
        if (pair.grownInMerge != merges.size() && !merges.isEmpty()) {
            pair.grownInMerge = merges.size();
            grownThisMerge.add(pair);
        }
    }

    /** A missing pair is the one being merged, already taken out of the table. */
    private void removeFromPair(int left, int right, long count) {
        Pair pair = pairs.get(BpeTokenizerModel.pairKey(left, right));
        if (pair != null) {
            pair.count -= count;
        }
    }

    private int addToken(byte[] bytes) {
        int id = tokenBytes.size();
        tokenBytes.add(bytes);
        idByToken.put(ByteLevelAlphabet.encode(bytes), id);
        return id;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private record Candidate(long count, Pair pair) {}

    private static final class Pair {
        final int left;
        final int right;
        long count;
        boolean merged;
        int grownInMerge = -1;
        int[] words = new int[2];
        int wordCount;

        Pair(int left, int right) {
            this.left = left;
            this.right = right;
        }

        /**
         * A word's additions come in a run, so comparing with the last entry drops nearly all repeats;
         * a word listed twice only costs a second scan that finds nothing left to merge.
         */
        void addWord(int word) {
            if (wordCount > 0 && words[wordCount - 1] == word) {
                return;
            }
            if (wordCount == words.length) {
                words = Arrays.copyOf(words, wordCount * 2);
            }
            words[wordCount++] = word;
        }
    }
}
