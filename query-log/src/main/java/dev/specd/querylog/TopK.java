package dev.specd.querylog;

/**
 * Selects the k largest values of a vector without sorting it: a bounded min-heap of indices, so a
 * 32k–150k vocabulary costs one pass plus O(V log k) in the worst case and usually O(V).
 */
final class TopK {

    private TopK() {
    }

    /**
     * Indices of the k largest values, largest first; equal values keep the lower index first.
     *
     * @param k at most {@code values.length}
     */
    static int[] indices(float[] values, int k) {
        int[] heap = new int[k];
        int size = 0;
        for (int i = 0; i < values.length; i++) {
            if (size < k) {
                heap[size] = i;
                siftUp(values, heap, size++);
            } else if (k > 0 && values[i] > values[heap[0]]) {
                // An equal value never displaces the root: indices arrive ascending, so it would lose the tie.
                heap[0] = i;
                siftDown(values, heap, k);
            }
        }
        int[] descending = new int[k];
        for (int last = k - 1; last >= 0; last--) {
            descending[last] = heap[0];
            heap[0] = heap[last];
            siftDown(values, heap, last);
        }
        return descending;
    }

    /** The heap's root is its worst entry: the smallest value, and among equal values the highest index. */
    private static boolean worse(float[] values, int a, int b) {
        return values[a] < values[b] || (values[a] == values[b] && a > b);
    }

    private static void siftUp(float[] values, int[] heap, int position) {
        while (position > 0) {
            int parent = (position - 1) / 2;
            if (!worse(values, heap[position], heap[parent])) {
                return;
            }
            swap(heap, position, parent);
            position = parent;
        }
    }

    private static void siftDown(float[] values, int[] heap, int size) {
        int position = 0;
        while (true) {
            int left = 2 * position + 1;
            if (left >= size) {
                return;
            }
            int right = left + 1;
            int worst = right < size && worse(values, heap[right], heap[left]) ? right : left;
            if (!worse(values, heap[worst], heap[position])) {
                return;
            }
            swap(heap, position, worst);
            position = worst;
        }
    }

    private static void swap(int[] heap, int a, int b) {
        int held = heap[a];
        heap[a] = heap[b];
        heap[b] = held;
    }
}
