package dev.specd.loadtest;

import java.net.URI;
import java.util.Locale;

/**
 * Keeps load off machines it was not meant for: only loopback URLs unless the user says otherwise.
 * Host names other than {@code localhost} are refused without being resolved, so that the check
 * itself sends nothing anywhere.
 */
final class LoopbackGuard {

    private LoopbackGuard() {}

    /** @throws IllegalArgumentException when {@code url} is not http(s) on a loopback host and remote is not allowed */
    static void check(URI url, boolean allowRemote) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the URL must be http:// or https://, not " + url);
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("the URL names no host: " + url);
        }
        if (!allowRemote && !isLoopback(url.getHost())) {
            throw new IllegalArgumentException(url.getHost() + " is not a loopback address: a load test goes to "
                    + "127.0.0.1, ::1 or localhost unless --allow-remote is given");
        }
    }

    static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        String lower = bare.toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.equals("::1") || lower.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] octets = lower.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
