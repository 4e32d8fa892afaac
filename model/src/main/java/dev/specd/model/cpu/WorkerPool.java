package dev.specd.model.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed team of threads, one per core, that share out the items of a region (rows of a weight
 * matrix, attention heads) with the thread that asks. A forward runs about five regions per layer,
 * each a few to a few hundred microseconds long, so dispatch must cost about a microsecond: a region
 * is published by one atomic write that spinning workers see at once, and the items are claimed
 * chunk by chunk from one atomic cursor, so a worker that is late (descheduled, or parked after an
 * idle spell) leaves its chunks to the others instead of holding the region up. Workers spin for
 * {@link #SPIN_NANOS} after their last chunk, long enough to span the gap between two regions
 * and between two decode steps, then park.
 *
 * <p>One region at a time: a thread that asks while another thread's region runs does its items
 * itself, as worker 0 of its own scratch (two models never share scratch).
 */
final class WorkerPool {

    /** Work on items [from, to); {@code worker} in [0, size()) picks the calling thread's scratch. */
    interface Task {
        void run(int from, int to, int worker);
    }

    private static final long SPIN_NANOS = 200_000;
    private static final int MAX_CHUNKS = 0xFFFF;
    /** Generations wrap within [1, 2³² − 1]; workers start having seen 0. */
    private static final long GENERATIONS = 0xFFFF_FFFFL;
    private static final WorkerPool SHARED = new WorkerPool(Runtime.getRuntime().availableProcessors());

    private final Thread[] workers;
    private final AtomicIntegerArray parked;
    /** generation (bits 32–63) | next chunk to claim (16–31) | chunks in the region (0–15). */
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicInteger chunksDone = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final ReentrantLock regionLock = new ReentrantLock();
    // The region in progress: written before the cursor publishes it, read only after claiming a chunk of it.
    private Task task;
    private int items;
    private int grain;
    private long generation;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, got " + threads);
        }
        workers = new Thread[threads - 1];
        parked = new AtomicIntegerArray(workers.length);
        for (int i = 0; i < workers.length; i++) {
            int worker = i + 1;
            workers[i] = Thread.ofPlatform().name("specd-cpu-worker-" + worker).daemon()
                    .start(() -> work(worker));
        }
    }

    /** One thread per available processor, shared by every model in the process. */
    static WorkerPool shared() {
        return SHARED;
    }

    /** Threads that run a region, the caller included. */
    int size() {
        return workers.length + 1;
    }

    /**
     * Runs {@code task} over items [0, items) in chunks of {@code grain} (the last may be shorter),
     * on the pool and the calling thread, and returns when every chunk is done.
     */
    void run(Task task, int items, int grain) {
        if (items <= 0) {
            return;
        }
        int chunks = Math.ceilDiv(items, grain);
        if (workers.length == 0 || chunks == 1 || chunks > MAX_CHUNKS || !regionLock.tryLock()) {
            task.run(0, items, 0);
            return;
        }
        try {
            this.task = task;
            this.items = items;
            this.grain = grain;
            chunksDone.set(0);
            generation = generation == GENERATIONS ? 1 : generation + 1;
            long current = generation;
            cursor.set(current << 32 | chunks);
            for (int i = 0; i < workers.length; i++) {
                if (parked.get(i) == 1) {
                    LockSupport.unpark(workers[i]);
                }
            }
            runChunks(current, 0);
            while (chunksDone.get() < chunks) {
                Thread.onSpinWait();
            }
            Throwable failed = failure.getAndSet(null);
            if (failed != null) {
                throw new IllegalStateException("a worker failed in a parallel region", failed);
            }
        } finally {
            regionLock.unlock();
        }
    }

    /** Claims and runs chunks of region {@code current} until none is left. */
    private void runChunks(long current, int worker) {
        while (true) {
            long state = cursor.get();
            int next = (int) (state >>> 16) & 0xFFFF;
            if (state >>> 32 != current || next >= (int) (state & 0xFFFF)) {
                return;
            }
            if (cursor.compareAndSet(state, state + (1L << 16))) {
                int from = next * grain;
                try {
                    task.run(from, Math.min(items, from + grain), worker);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    chunksDone.incrementAndGet();
                }
            }
        }
    }

    private void work(int worker) {
        long seen = 0;
        long idleSince = System.nanoTime();
        while (true) {
            long current = cursor.get() >>> 32;
            if (current != seen) {
                seen = current;
                runChunks(current, worker);
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                parked.set(worker - 1, 1);
                if (cursor.get() >>> 32 == seen) {
                    LockSupport.park(this);
                }
                parked.set(worker - 1, 0);
                idleSince = System.nanoTime();
            }
        }
    }
}
