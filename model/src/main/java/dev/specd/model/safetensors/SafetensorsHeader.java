package dev.specd.model.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The header of one safetensors file, checked as strictly as Hugging Face's own loader: every
 * tensor's dtype, shape and size agree, and the tensors tile the data region exactly, with no gap,
 * overlap or trailing byte. A file that passes can be mapped without reading past its end.
 */
record SafetensorsHeader(SortedMap<String, TensorInfo> tensors, Map<String, String> metadata) {

    static final String METADATA_KEY = "__metadata__";
    /** The limit Hugging Face's safetensors applies, so that a corrupt length cannot demand gigabytes of heap. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final int LENGTH_PREFIX_BYTES = Long.BYTES;

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    SafetensorsHeader {
        tensors = Collections.unmodifiableSortedMap(new TreeMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < LENGTH_PREFIX_BYTES) {
            throw corrupt(file, "is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        long headerLength = readFully(channel, 0, LENGTH_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 0 || headerLength >= MAX_HEADER_BYTES) {
            throw corrupt(file, "header length " + Long.toUnsignedString(headerLength)
                    + " is not below the 100 MB limit: not a safetensors file, or corrupt");
        }
        if (headerLength > fileSize - LENGTH_PREFIX_BYTES) {
            throw corrupt(file, "header length " + headerLength + " runs past the end of the " + fileSize
                    + "-byte file (truncated?)");
        }
        ByteBuffer headerBytes = readFully(channel, LENGTH_PREFIX_BYTES, (int) headerLength);
        JsonNode root;
        try {
            root = JSON.readTree(headerBytes.array());
        } catch (JsonProcessingException e) {
            throw corrupt(file, "malformed JSON header: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "header is not a JSON object");
        }
        long dataStart = LENGTH_PREFIX_BYTES + headerLength;
        long dataLength = fileSize - dataStart;
        Map<String, String> metadata = Map.of();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                tensors.add(parseTensor(file, field.getKey(), field.getValue(), dataStart, dataLength));
            }
        }
        checkTiling(file, tensors, dataStart, fileSize);
        SortedMap<String, TensorInfo> byName = new TreeMap<>();
        tensors.forEach(tensor -> byName.put(tensor.name(), tensor));
        return new SafetensorsHeader(byName, metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw corrupt(file, METADATA_KEY + " must map strings to strings; '" + entry.getKey() + "' is "
                        + entry.getValue().getNodeType());
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataStart, long dataLength)
            throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, name, "entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw corrupt(file, name, "dtype is missing or not a string");
        }
        DType dtype;
        try {
            dtype = DType.parse(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw corrupt(file, name, e.getMessage());
        }
        long[] shape = nonNegativeIntegers(node.get("shape"));
        if (shape == null) {
            throw corrupt(file, name, "shape must be an array of non-negative integers, found " + node.get("shape"));
        }
        long[] offsets = nonNegativeIntegers(node.get("data_offsets"));
        if (offsets == null || offsets.length != 2) {
            throw corrupt(file, name, "data_offsets must be [begin, end] with non-negative integers, found "
                    + node.get("data_offsets"));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw corrupt(file, name, "data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        if (end > dataLength) {
            throw corrupt(file, name, "data_offsets " + Arrays.toString(offsets) + " run past the end of the file, whose "
                    + "data region holds " + dataLength + " bytes (truncated?)");
        }
        long needed;
        try {
            needed = Math.multiplyExact(TensorInfo.elementCount(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw corrupt(file, name, "shape " + Arrays.toString(shape) + " has too many elements");
        }
        if (needed != end - begin) {
            throw corrupt(file, name, dtype + " " + Arrays.toString(shape) + " needs " + needed
                    + " bytes but data_offsets " + Arrays.toString(offsets) + " hold " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, file, dataStart + begin, end - begin);
    }

    /** The tensors must cover the data region exactly once: anything else means the offsets are corrupt. */
    private static void checkTiling(Path file, List<TensorInfo> tensors, long dataStart, long fileSize)
            throws IOException {
        List<TensorInfo> inFileOrder = new ArrayList<>(tensors);
        inFileOrder.sort(Comparator.comparingLong(TensorInfo::offset).thenComparingLong(TensorInfo::byteLength));
        long expected = dataStart;
        TensorInfo previous = null;
        for (TensorInfo tensor : inFileOrder) {
            if (tensor.offset() < expected) {
                throw corrupt(file, tensor.name(), "data_offsets " + relativeOffsets(tensor, dataStart)
                        + " overlap tensor '" + previous.name() + "' at " + relativeOffsets(previous, dataStart));
            }
            if (tensor.offset() > expected) {
                throw corrupt(file, tensor.name(), "data_offsets " + relativeOffsets(tensor, dataStart) + " leave "
                        + (tensor.offset() - expected) + " bytes before it that belong to no tensor");
            }
            expected = tensor.offset() + tensor.byteLength();
            previous = tensor;
        }
        if (expected != fileSize) {
            throw corrupt(file, (fileSize - expected) + " bytes after the last tensor belong to no tensor");
        }
    }

    private static String relativeOffsets(TensorInfo tensor, long dataStart) {
        long begin = tensor.offset() - dataStart;
        return "[" + begin + ", " + (begin + tensor.byteLength()) + "]";
    }

    /** The values of a JSON array of non-negative integers that fit a long, or null if it is anything else. */
    private static long[] nonNegativeIntegers(JsonNode node) {
        if (node == null || !node.isArray()) {
            return null;
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                return null;
            }
            values[i] = element.longValue();
        }
        return values;
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    static IOException corrupt(Path file, String problem) {
        return new IOException(file + ": " + problem);
    }

    static IOException corrupt(Path file, String tensor, String problem) {
        return new IOException(file + ": tensor '" + tensor + "': " + problem);
    }
}
