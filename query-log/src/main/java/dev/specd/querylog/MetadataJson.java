package dev.specd.querylog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Map;

/** Request metadata as a JSON object of strings; empty metadata is stored as SQL NULL, the common case costing nothing. */
final class MetadataJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private MetadataJson() {
    }

    static String encode(Map<String, String> metadata) {
        if (metadata.isEmpty()) {
            return null;
        }
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    static Map<String, String> decode(String json) throws IOException {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> metadata = JSON.readValue(json, STRING_MAP);
        if (metadata == null || metadata.containsKey(null) || metadata.containsValue(null)) {
            throw new IOException("metadata is not a JSON object of strings: " + json);
        }
        return metadata;
    }
}
