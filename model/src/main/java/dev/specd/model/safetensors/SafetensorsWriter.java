package dev.specd.model.safetensors;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes safetensors files that Hugging Face tools load unchanged. The file appears atomically:
 * it is written and synced under a temporary name in the same directory, then renamed over the
 * target, so a crash leaves either the old checkpoint or the complete new one.
 */
public final class SafetensorsWriter {

    private static final int HEADER_ALIGNMENT = 8;

    private SafetensorsWriter() {
    }

    /** Writes arrays (FLOAT32, FLOAT16 or BFLOAT16) with their own dtype and shape, on any device. */
    public static void write(Path file, SortedMap<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<PendingTensor> pending = new ArrayList<>();
        tensors.forEach((name, array) -> pending.add(new PendingTensor(name, DType.of(array.getDataType()),
                array.getShape().getShape(), channel -> writeArray(array, channel))));
        writePending(file, pending, metadata);
    }

    /** Writes raw little-endian tensor data, e.g. BF16, which no PyTorch-engine array can hold. */
    public static void writeBytes(Path file, SortedMap<String, TensorBytes> tensors, Map<String, String> metadata)
            throws IOException {
        List<PendingTensor> pending = new ArrayList<>();
        tensors.forEach((name, tensor) -> {
            PendingTensor entry = new PendingTensor(name, tensor.dtype(), tensor.shape(),
                    channel -> writeFully(channel, tensor.data().duplicate()));
            if (tensor.data().remaining() != entry.byteLength()) {
                throw new IllegalArgumentException("tensor '" + name + "': " + tensor.dtype() + " "
                        + Arrays.toString(tensor.shape()) + " needs " + entry.byteLength() + " bytes, data holds "
                        + tensor.data().remaining());
            }
            pending.add(entry);
        });
        writePending(file, pending, metadata);
    }

    private static void writePending(Path file, List<PendingTensor> tensors, Map<String, String> metadata)
            throws IOException {
        for (PendingTensor tensor : tensors) {
            if (tensor.name().isEmpty() || tensor.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("'" + tensor.name() + "' cannot name a tensor");
            }
        }
        // Widest elements first, then by name, as Hugging Face's writer lays data out: every tensor
        // then starts at a multiple of its element size, which keeps mapped arrays aligned.
        List<PendingTensor> dataOrder = new ArrayList<>(tensors);
        dataOrder.sort(Comparator.comparingInt((PendingTensor tensor) -> -tensor.dtype().bytes())
                .thenComparing(PendingTensor::name));
        Map<String, long[]> offsets = new TreeMap<>();
        long position = 0;
        for (PendingTensor tensor : dataOrder) {
            offsets.put(tensor.name(), new long[] {position, position + tensor.byteLength()});
            position += tensor.byteLength();
        }
        ByteBuffer header = header(tensors, offsets, metadata);

        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        // Not Files.createTempFile: it makes the file owner-only, and the rename would carry that over.
        Path temporary = directory.resolve("." + target.getFileName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        boolean renamed = false;
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writeFully(channel, header);
                long dataStart = channel.position();
                for (PendingTensor tensor : dataOrder) {
                    tensor.data().writeTo(channel);
                    long written = channel.position() - dataStart - offsets.get(tensor.name())[0];
                    if (written != tensor.byteLength()) {
                        throw new IOException("tensor '" + tensor.name() + "' gave " + written + " bytes, expected "
                                + tensor.byteLength());
                    }
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            renamed = true;
        } finally {
            if (!renamed) {
                Files.deleteIfExists(temporary);
            }
        }
        syncDirectory(directory);
    }

    /** The length prefix and the JSON header, padded with spaces to a multiple of 8 bytes as Hugging Face does. */
    private static ByteBuffer header(List<PendingTensor> tensors, Map<String, long[]> offsets,
            Map<String, String> metadata) throws IOException {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode metadataNode = root.putObject(SafetensorsHeader.METADATA_KEY);
            new TreeMap<>(metadata).forEach(metadataNode::put);
        }
        for (PendingTensor tensor : tensors) {
            ObjectNode entry = root.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            long[] range = offsets.get(tensor.name());
            entry.putArray("data_offsets").add(range[0]).add(range[1]);
        }
        byte[] json = SafetensorsHeader.JSON.writeValueAsBytes(root);
        int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        ByteBuffer header = ByteBuffer.allocate(SafetensorsHeader.LENGTH_PREFIX_BYTES + padded)
                .order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(padded).put(json);
        while (header.hasRemaining()) {
            header.put((byte) ' ');
        }
        return header.flip();
    }

    private static void writeArray(NDArray array, FileChannel channel) throws IOException {
        NDArray onCpu = array.toDevice(Device.cpu(), false);
        try {
            writeFully(channel, onCpu.toByteBuffer(true));
        } finally {
            if (onCpu != array) {
                onCpu.close();
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    /** The rename is durable only once the directory entry itself reaches the disk. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @FunctionalInterface
    private interface TensorData {
        void writeTo(FileChannel channel) throws IOException;
    }

    private record PendingTensor(String name, DType dtype, long[] shape, TensorData data) {

        long byteLength() {
            return Math.multiplyExact(TensorInfo.elementCount(shape), dtype.bytes());
        }
    }
}
