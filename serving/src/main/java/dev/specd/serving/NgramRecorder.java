package dev.specd.serving;

import dev.specd.serving.scheduler.Generation;
import dev.specd.serving.scheduler.GenerationObserver;
import dev.specd.serving.scheduler.Update;
import dev.specd.verifier.NgramCache;
import dev.specd.verifier.Sequence;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Feeds served sequences to the n-gram cache on a writer thread of its own, as the cache expects:
 * the inference thread only copies the tokens. When the writer falls behind, sequences are skipped;
 * the cache is a statistic, and serving is never slowed for it.
 */
final class NgramRecorder implements GenerationObserver, AutoCloseable {

    private static final int BACKLOG = 256;

    private final NgramCache cache;
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(BACKLOG), Thread.ofPlatform().name("specd-ngram").daemon().factory(),
            new ThreadPoolExecutor.DiscardPolicy());

    NgramRecorder(NgramCache cache) {
        this.cache = cache;
    }

    @Override
    public void ended(Generation generation, Sequence sequence, Update.Result result) {
        if (sequence != null && !result.ending().cutShort()) {
            int[] tokens = Arrays.copyOf(sequence.tokens(), sequence.length());
            writer.execute(() -> cache.record(tokens));
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
