package dev.specd.model.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyItemOfEveryRegionRunsExactlyOnceOnSomeWorker() {
        WorkerPool pool = new WorkerPool(4);
        Set<Integer> workers = ConcurrentHashMap.newKeySet();
        for (int region = 0; region < 2_000; region++) {
            int items = 1 + region % 97;
            int grain = 1 + region % 7;
            AtomicIntegerArray runs = new AtomicIntegerArray(items);
            pool.run((from, to, worker) -> {
                workers.add(worker);
                for (int item = from; item < to; item++) {
                    runs.incrementAndGet(item);
                }
            }, items, grain);
            for (int item = 0; item < items; item++) {
                assertEquals(1, runs.get(item), "item " + item + " of region " + region);
            }
        }
        assertTrue(workers.stream().allMatch(worker -> worker >= 0 && worker < pool.size()), workers.toString());
    }

    @Test
    void aFailingTaskFailsItsRegionAndThePoolGoesOn() {
        WorkerPool pool = new WorkerPool(2);
        RuntimeException failure = new RuntimeException("boom");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> pool.run((from, to, worker) -> {
            if (from <= 50 && 50 < to) {
                throw failure;
            }
        }, 100, 1));
        assertTrue(thrown == failure || thrown.getCause() == failure, thrown.toString());
        AtomicIntegerArray runs = new AtomicIntegerArray(100);
        pool.run((from, to, worker) -> {
            for (int item = from; item < to; item++) {
                runs.incrementAndGet(item);
            }
        }, 100, 3);
        for (int item = 0; item < 100; item++) {
            assertEquals(1, runs.get(item));
        }
    }

    @Test
    void threadsAskingAtOnceEachGetTheirWholeRegionDone() throws InterruptedException {
        WorkerPool pool = new WorkerPool(2);
        List<Throwable> failures = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            callers.add(Thread.ofPlatform().start(() -> {
                for (int region = 0; region < 500; region++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(64);
                    pool.run((from, to, worker) -> {
                        for (int item = from; item < to; item++) {
                            runs.incrementAndGet(item);
                        }
                    }, 64, 4);
                    for (int item = 0; item < 64; item++) {
                        if (runs.get(item) != 1) {
                            synchronized (failures) {
                                failures.add(new AssertionError("item " + item + " ran " + runs.get(item) + " times"));
                            }
                        }
                    }
                }
            }));
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void aRegionOfOneChunkRunsOnTheCallingThread() {
        WorkerPool pool = new WorkerPool(2);
        Thread caller = Thread.currentThread();
        List<Thread> ran = new ArrayList<>();
        pool.run((from, to, worker) -> ran.add(Thread.currentThread()), 10, 10);
        assertEquals(1, ran.size());
        assertSame(caller, ran.getFirst());
    }
}
