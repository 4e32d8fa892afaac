package dev.specd.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Hugging Face {@code model.safetensors.index.json}: which shard file holds each tensor.
 *
 * @param weightMap tensor name to shard file name, a plain name in the index's directory
 * @param metadata the index's {@code metadata}, non-string values as their JSON text (e.g. {@code total_size})
 */
record ShardIndex(SortedMap<String, String> weightMap, Map<String, String> metadata) {

    ShardIndex {
        weightMap = Collections.unmodifiableSortedMap(new TreeMap<>(weightMap));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    static ShardIndex read(Path file) throws IOException {
        JsonNode root;
        try {
            root = SafetensorsHeader.JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw SafetensorsHeader.corrupt(file, "malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw SafetensorsHeader.corrupt(file, "not a JSON object");
        }
        JsonNode weightMapNode = root.get("weight_map");
        if (weightMapNode == null || !weightMapNode.isObject()) {
            throw SafetensorsHeader.corrupt(file, "weight_map is missing or not a JSON object");
        }
        SortedMap<String, String> weightMap = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMapNode.properties()) {
            String shard = entry.getValue().isTextual() ? entry.getValue().textValue() : null;
            if (shard == null || !isPlainFileName(shard)) {
                throw SafetensorsHeader.corrupt(file, "weight_map must name a shard file in the same directory for '"
                        + entry.getKey() + "', found " + entry.getValue());
            }
            weightMap.put(entry.getKey(), shard);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode metadataNode = root.get("metadata");
        if (metadataNode != null && metadataNode.isObject()) {
            metadataNode.properties().forEach(entry -> metadata.put(entry.getKey(),
                    entry.getValue().isTextual() ? entry.getValue().textValue() : entry.getValue().toString()));
        }
        return new ShardIndex(weightMap, metadata);
    }

    /** Shards live beside the index; refusing paths keeps a crafted index from reading elsewhere. */
    private static boolean isPlainFileName(String name) {
        try {
            Path path = Path.of(name);
            return !name.isEmpty() && !path.isAbsolute() && path.getNameCount() == 1
                    && !name.equals(".") && !name.equals("..") && path.getFileName().toString().equals(name);
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
