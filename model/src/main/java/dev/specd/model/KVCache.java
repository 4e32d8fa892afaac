package dev.specd.model;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalInt;

/**
 * Preallocated keys and values for a fixed number of sequence slots, written by position. A slot's
 * length is the number of valid positions; rolling back rejected tokens only moves it back, since
 * the next forward overwrites those positions. This class keeps the slot bookkeeping; backends
 * hold the storage.
 */
public abstract class KVCache implements AutoCloseable {

    private final int maxLength;
    private final int[] lengths;
    private final boolean[] inUse;
    private final Deque<Integer> freeSlots = new ArrayDeque<>();

    protected KVCache(int slots, int maxLength) {
        if (slots < 1 || maxLength < 1) {
            throw new IllegalArgumentException(
                    "a KV cache needs at least one slot and one position, got " + slots + " x " + maxLength);
        }
        this.maxLength = maxLength;
        this.lengths = new int[slots];
        this.inUse = new boolean[slots];
        for (int slot = 0; slot < slots; slot++) {
            freeSlots.addLast(slot);
        }
    }

    /** Bytes one slot of {@code maxLength} positions takes: layers × (K, V) × kvHeads × headDim × positions. */
    public static long bytesPerSlot(ModelConfig config, int maxLength, int bytesPerElement) {
        return 2L * config.numLayers() * config.numKeyValueHeads() * config.headDim() * maxLength * bytesPerElement;
    }

    /**
     * The bytes a cache of {@code slots} × {@code maxLength} positions takes, after checking that it
     * fits the model's context and {@code maxBytes}.
     *
     * @throws IllegalArgumentException naming the bound it would exceed
     */
    protected static long checkBounds(ModelConfig config, int slots, int maxLength, int bytesPerElement, long maxBytes) {
        if (maxLength > config.contextLength()) {
            throw new IllegalArgumentException("a cache of " + maxLength
                    + " positions exceeds the model's context length " + config.contextLength());
        }
        long bytes = slots * bytesPerSlot(config, maxLength, bytesPerElement);
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(String.format(
                    "a KV cache of %d slots x %d positions needs %.1f MiB, over the bound of %.1f MiB",
                    slots, maxLength, bytes / 1048576.0, maxBytes / 1048576.0));
        }
        return bytes;
    }

    public int slots() {
        return lengths.length;
    }

    public int maxLength() {
        return maxLength;
    }

    /** A free slot with length 0, or empty when every slot is in use. */
    public synchronized OptionalInt acquire() {
        Integer slot = freeSlots.pollFirst();
        if (slot == null) {
            return OptionalInt.empty();
        }
        inUse[slot] = true;
        lengths[slot] = 0;
        return OptionalInt.of(slot);
    }

    public synchronized void release(int slot) {
        checkInUse(slot);
        inUse[slot] = false;
        lengths[slot] = 0;
        freeSlots.addLast(slot);
    }

    public synchronized int freeSlotCount() {
        return freeSlots.size();
    }

    public synchronized int length(int slot) {
        checkInUse(slot);
        return lengths[slot];
    }

    /** Forgets positions [length, current length): rejected draft tokens. Free, by design. */
    public synchronized void rollback(int slot, int length) {
        checkInUse(slot);
        if (length < 0 || length > lengths[slot]) {
            throw new IllegalArgumentException(
                    "cannot roll slot " + slot + " back to " + length + ": it holds " + lengths[slot]);
        }
        lengths[slot] = length;
    }

    /** Called by the backend before it writes [start, end) of a slot; checks the write is contiguous. */
    public synchronized void beginWrite(int slot, int start, int end) {
        checkInUse(slot);
        if (start > lengths[slot]) {
            throw new IllegalArgumentException("slot " + slot + " holds " + lengths[slot]
                    + " positions; a write cannot start at " + start + " and leave a gap");
        }
        if (end > maxLength) {
            throw new IllegalArgumentException(
                    "slot " + slot + " would reach position " + end + ", past the cache length " + maxLength);
        }
    }

    /** Called by the backend after a successful write of [start, end): the slot now holds end positions. */
    public synchronized void endWrite(int slot, int end) {
        lengths[slot] = end;
    }

    /** Bytes the storage holds. */
    public abstract long bytes();

    @Override
    public abstract void close();

    private void checkInUse(int slot) {
        if (slot < 0 || slot >= lengths.length || !inUse[slot]) {
            throw new IllegalArgumentException("KV-cache slot " + slot + " is not in use");
        }
    }
}
