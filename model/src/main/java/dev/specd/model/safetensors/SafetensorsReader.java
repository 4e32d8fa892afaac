package dev.specd.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a Hugging Face safetensors checkpoint, one file or sharded, by memory-mapping each tensor's
 * own region: nothing is read onto the heap but the headers, and files of any size work as long
 * as each tensor is under 2 GiB. Every header is validated on open, so a corrupt checkpoint fails
 * there with a message naming the file and the tensor, never later with garbage or a JVM crash.
 *
 * <p>Thread-safe. Mappings are owned by the buffers and arrays handed out (the JVM unmaps a region
 * once its buffer is unreachable), so they stay valid after {@link #close()}.
 */
public final class SafetensorsReader implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path source;
    private final SortedMap<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Map<Path, FileChannel> channels;
    private volatile boolean closed;

    private SafetensorsReader(Path source, SortedMap<String, TensorInfo> tensors, Map<String, String> metadata,
            Map<Path, FileChannel> channels) {
        this.source = source;
        this.tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.channels = Map.copyOf(channels);
    }

    /** Opens the checkpoint in a model directory: the shards of its index if it has one, else its single file. */
    public static SafetensorsReader open(Path modelDir) throws IOException {
        Path index = modelDir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(modelDir, index);
        }
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return openFile(single);
        }
        throw new IOException("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + modelDir);
    }

    public static SafetensorsReader openFile(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file);
        try {
            SafetensorsHeader header = SafetensorsHeader.read(file, channel);
            return new SafetensorsReader(file, header.tensors(), header.metadata(), Map.of(file, channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static SafetensorsReader openSharded(Path modelDir, Path indexFile) throws IOException {
        ShardIndex index = ShardIndex.read(indexFile);
        SortedMap<String, List<String>> namesByShard = new TreeMap<>();
        index.weightMap().forEach((name, shard) -> namesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(name));
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            SortedMap<String, TensorInfo> tensors = new TreeMap<>();
            for (Map.Entry<String, List<String>> shardNames : namesByShard.entrySet()) {
                String shardName = shardNames.getKey();
                List<String> names = shardNames.getValue();
                Path shard = modelDir.resolve(shardName);
                if (!Files.isRegularFile(shard)) {
                    throw SafetensorsHeader.corrupt(indexFile, "shard file " + shardName + ", named for " + names.size()
                            + " tensors such as '" + names.getFirst() + "', is missing");
                }
                FileChannel channel = FileChannel.open(shard);
                channels.put(shard, channel);
                SortedMap<String, TensorInfo> shardTensors = SafetensorsHeader.read(shard, channel).tensors();
                checkShardMatchesIndex(indexFile, index, shard, names, shardTensors);
                tensors.putAll(shardTensors);
            }
            return new SafetensorsReader(indexFile, tensors, index.metadata(), channels);
        } catch (IOException | RuntimeException e) {
            closeAll(channels.values(), e);
            throw e;
        }
    }

    /** A tensor the index does not place in this shard is as suspect as one the shard lacks. */
    private static void checkShardMatchesIndex(Path indexFile, ShardIndex index, Path shard, List<String> names,
            SortedMap<String, TensorInfo> shardTensors) throws IOException {
        String shardName = shard.getFileName().toString();
        for (String name : names) {
            if (!shardTensors.containsKey(name)) {
                throw SafetensorsHeader.corrupt(indexFile, "weight_map puts tensor '" + name + "' in " + shardName
                        + ", which has no such tensor");
            }
        }
        for (String name : shardTensors.keySet()) {
            String listedShard = index.weightMap().get(name);
            if (!shardName.equals(listedShard)) {
                throw SafetensorsHeader.corrupt(shard, name, "weight_map of " + indexFile + " puts it "
                        + (listedShard == null ? "nowhere" : "in " + listedShard));
            }
        }
    }

    /** Every tensor by name. */
    public SortedMap<String, TensorInfo> tensors() {
        return tensors;
    }

    /**
     * The {@code __metadata__} of a single file, or the {@code metadata} of a sharded checkpoint's
     * index (Hugging Face keeps {@code total_size} there; shards usually only say {@code format: pt}).
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** A read-only, little-endian memory mapping of exactly the bytes of one tensor. */
    public ByteBuffer map(String name) throws IOException {
        TensorInfo tensor = tensor(name);
        if (tensor.byteLength() > Integer.MAX_VALUE) {
            throw new IOException(describe(tensor) + " is " + tensor.byteLength()
                    + " bytes: a single tensor over 2 GiB cannot be mapped into one ByteBuffer or DJL array");
        }
        FileChannel channel = channels.get(tensor.file());
        long end = tensor.offset() + tensor.byteLength();
        // A file truncated behind our back would turn reads of the mapping into SIGBUS.
        if (channel.size() < end) {
            throw new IOException(tensor.file() + " shrank to " + channel.size() + " bytes since it was opened; "
                    + describe(tensor) + " ends at byte " + end);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, tensor.offset(), tensor.byteLength())
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies one tensor, widened to float32 (exactly: float16 and bfloat16 values are all float32
     * values), into {@code destination} from {@code offset}. Returns its element count.
     */
    public int readFloats(String name, float[] destination, int offset) throws IOException {
        TensorInfo tensor = tensor(name);
        ByteBuffer stored = map(name);
        int count = Math.toIntExact(tensor.elementCount());
        switch (tensor.dtype()) {
            case F32 -> stored.asFloatBuffer().get(destination, offset, count);
            case F16 -> {
                ShortBuffer halves = stored.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    destination[offset + i] = Float.float16ToFloat(halves.get(i));
                }
            }
            case BF16 -> {
                ShortBuffer halves = stored.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    destination[offset + i] = Float.intBitsToFloat(halves.get(i) << 16);
                }
            }
        }
        return count;
    }

    /**
     * One tensor as an NDArray with the file's shape, attached to {@code manager}. F32 and F16 are
     * zero-copy over the mapping. BF16 arrives as FLOAT32 (see {@link DType#BF16}), widened exactly
     * into a direct buffer of its own.
     *
     * <p>A zero-copy array lies on read-only pages: writing into it in place (an optimizer step,
     * {@code addi}, …) is a segmentation fault that kills the JVM. Take {@code duplicate()} of weights
     * that will be trained. Arrays that share its storage (reshape, transpose views) must not
     * outlive it, for only it keeps the mapping reachable.
     */
    public NDArray load(NDManager manager, String name) throws IOException {
        TensorInfo tensor = tensor(name);
        DType dtype = tensor.dtype();
        Shape shape = new Shape(tensor.shape());
        NDArray array;
        if (tensor.byteLength() == 0) {
            array = manager.create(shape, dtype.loadedAs());
        } else if (dtype == DType.BF16) {
            array = manager.create(widenToFloat32(tensor, map(name)), shape, dtype.loadedAs());
        } else {
            array = manager.create(map(name), shape, dtype.loadedAs());
        }
        array.setName(name);
        return array;
    }

    /**
     * Checks that the checkpoint holds exactly the expected tensors with the expected shapes,
     * reporting every missing, unexpected and mis-shaped tensor at once.
     */
    public void verifyShapes(Map<String, long[]> expected) throws IOException {
        SortedSet<String> names = new TreeSet<>(expected.keySet());
        names.addAll(tensors.keySet());
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            long[] wanted = expected.get(name);
            TensorInfo found = tensors.get(name);
            if (found == null) {
                problems.add(name + ": expected " + Arrays.toString(wanted) + ", missing");
            } else if (!expected.containsKey(name)) {
                problems.add(name + ": not expected, found " + Arrays.toString(found.shape()));
            } else if (!Arrays.equals(wanted, found.shape())) {
                problems.add(name + ": expected " + Arrays.toString(wanted) + ", found "
                        + Arrays.toString(found.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(source + " does not hold the expected tensors (" + problems.size() + " problems):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** Closes the files; buffers and arrays already handed out stay valid. */
    @Override
    public void close() {
        closed = true;
        IOException failure = new IOException("closing " + source);
        closeAll(channels.values(), failure);
        if (failure.getSuppressed().length > 0) {
            throw new UncheckedIOException(failure);
        }
    }

    private TensorInfo tensor(String name) throws IOException {
        if (closed) {
            throw new IllegalStateException(source + " is closed");
        }
        TensorInfo tensor = tensors.get(name);
        if (tensor == null) {
            throw new IOException(source + " has no tensor '" + name + "'");
        }
        return tensor;
    }

    private static ByteBuffer widenToFloat32(TensorInfo tensor, ByteBuffer bf16) throws IOException {
        long elements = tensor.elementCount();
        if (elements * Float.BYTES > Integer.MAX_VALUE) {
            throw new IOException(describe(tensor) + " has " + elements
                    + " elements: widened to FLOAT32 it would pass the 2 GiB limit of one DJL array");
        }
        ShortBuffer source = bf16.asShortBuffer();
        ByteBuffer widened = ByteBuffer.allocateDirect((int) elements * Float.BYTES).order(ByteOrder.nativeOrder());
        IntBuffer target = widened.asIntBuffer();
        for (int i = 0; i < source.limit(); i++) {
            target.put(i, source.get(i) << 16);
        }
        return widened;
    }

    private static String describe(TensorInfo tensor) {
        return "tensor '" + tensor.name() + "' (" + tensor.dtype() + " " + Arrays.toString(tensor.shape()) + ") in "
                + tensor.file();
    }

    private static void closeAll(Iterable<FileChannel> channels, Throwable failure) {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
