package dev.specd.loadtest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LoopbackGuardTest {

    @Test
    void loopbackUrlsPass() {
        for (String url : new String[] {"http://127.0.0.1:8080", "http://127.1.2.3/", "http://localhost:9000",
                "https://LOCALHOST", "http://[::1]:8080/"}) {
            assertDoesNotThrow(() -> LoopbackGuard.check(URI.create(url), false), url);
        }
    }

    @Test
    void otherHostsAreRefusedUnlessRemoteIsAllowed() {
        for (String url : new String[] {"http://10.0.0.1:8080", "http://example.com", "http://128.0.0.1",
                "http://127.0.0.1.example.com", "http://0.0.0.0:8080", "http://[::2]:80"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> LoopbackGuard.check(URI.create(url), false), url);
            assertTrue(refused.getMessage().contains("--allow-remote"), refused.getMessage());
            assertDoesNotThrow(() -> LoopbackGuard.check(URI.create(url), true), url);
        }
    }

    @Test
    void onlyDottedQuadsUnder127AreLoopbackAddresses() {
        assertTrue(LoopbackGuard.isLoopback("127.255.255.254"));
        assertFalse(LoopbackGuard.isLoopback("127.0.0.256"));
        assertFalse(LoopbackGuard.isLoopback("127.0.0"));
        assertFalse(LoopbackGuard.isLoopback("127.0.0.x"));
    }

    @Test
    void onlyHttpUrlsWithAHost() {
        assertThrows(IllegalArgumentException.class, () -> LoopbackGuard.check(URI.create("ftp://127.0.0.1/"), true));
        assertThrows(IllegalArgumentException.class, () -> LoopbackGuard.check(URI.create("127.0.0.1:8080"), true));
        assertThrows(IllegalArgumentException.class, () -> LoopbackGuard.check(URI.create("http:///x"), true));
    }
}
