package dev.specd.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.specd.serving.api.ApiError;
import dev.specd.serving.api.Json;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/** Reads a request body into its record, turning Jackson's complaints into 400s that name the parameter. */
final class RequestParser {

    private RequestParser() {}

    static <T> T parse(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ApiError.invalid(null, "The request body is empty; send a JSON object.");
        }
        try {
            return Json.read(body, type);
        } catch (UnrecognizedPropertyException e) {
            String param = param(e);
            throw ApiError.invalid(param, "Unrecognized request argument supplied: " + param);
        } catch (MismatchedInputException e) {
            String param = param(e);
            if (param == null) {
                throw ApiError.invalid(null, "The request body must be a JSON object.");
            }
            throw ApiError.invalid(param, "Invalid type for '" + param + "': expected " + expected(e.getTargetType()) + ".");
        } catch (JsonMappingException e) {
            String param = param(e);
            throw ApiError.invalid(param, "Invalid value for '" + param + "': " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "We could not parse the JSON body of your request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalid(null, "Cannot read the request body: " + e.getMessage());
        }
    }

    /** The JSON path of the offending value in snake_case, e.g. {@code messages[0].role}. */
    private static String param(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "an object" : type.getSimpleName();
    }
}
