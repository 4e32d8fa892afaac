package dev.specd.loadtest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/**
 * The load test's JSON mapper: record components appear in snake_case, as in the server's API and
 * the report files. Reading is lenient about unknown fields, because a client must keep working
 * when the server adds fields to its responses.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {}
}
