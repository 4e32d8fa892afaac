package dev.specd.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Bearer-token checks. /v1/* needs the API key when one is set; /admin/* needs the admin key when
 * one is set, else the API key when that is set. With neither set everything is open, which is the
 * default for a server bound to 127.0.0.1. Keys are compared in constant time.
 */
final class ApiKeys {

    private static final String BEARER = "Bearer ";

    private final byte[] apiKey;
    private final byte[] adminKey;

    ApiKeys(String apiKey, String adminKey) {
        this.apiKey = bytes(apiKey);
        this.adminKey = adminKey != null ? bytes(adminKey) : this.apiKey;
    }

    boolean allowsApi(String authorization) {
        return matches(apiKey, authorization);
    }

    boolean allowsAdmin(String authorization) {
        return matches(adminKey, authorization);
    }

    private static boolean matches(byte[] key, String authorization) {
        if (key == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(key, bytes(authorization.substring(BEARER.length()).trim()));
    }

    private static byte[] bytes(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}
