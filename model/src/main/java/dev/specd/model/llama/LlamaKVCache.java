package dev.specd.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.specd.model.KVCache;
import dev.specd.model.ModelConfig;

/** Keys and values per layer, each [slots, kvHeads, maxLength, headDim], allocated once. */
final class LlamaKVCache extends KVCache {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long bytes;

    LlamaKVCache(ModelConfig config, NDManager parent, DataType computeType, int slots, int maxLength, long maxBytes) {
        super(slots, maxLength);
        bytes = checkBounds(config, slots, maxLength, computeType.getNumOfBytes(), maxBytes);
        manager = parent.newSubManager();
        Shape shape = new Shape(slots, config.numKeyValueHeads(), maxLength, config.headDim());
        keys = new NDArray[config.numLayers()];
        values = new NDArray[config.numLayers()];
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = manager.zeros(shape, computeType);
            values[layer] = manager.zeros(shape, computeType);
        }
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {
        manager.close();
    }
}
