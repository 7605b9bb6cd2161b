package io.recsys.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The accepted API keys. Keys are compared as SHA-256 digests with a constant-time comparison against every key, so the
 * time an answer takes says nothing about how much of a guess was right or which key it came close to.
 */
@Component
public class ApiKeys {

    private static final String BEARER = "Bearer ";

    private final List<byte[]> digests;

    public ApiKeys(ApiKeyProperties properties) {
        this.digests = properties.apiKeys().stream().map(ApiKeys::sha256).toList();
    }

    /** Whether callers must present a key at all. */
    public boolean required() {
        return !digests.isEmpty();
    }

    /** The key a caller presented, from an API-key header's value or else from an Authorization header's. */
    public static Optional<String> presented(String apiKeyHeader, String authorizationHeader) {
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return Optional.of(apiKeyHeader.strip());
        }
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(authorizationHeader.substring(BEARER.length()).strip());
        }
        return Optional.empty();
    }

    public boolean accepts(Optional<String> presented) {
        if (!required()) {
            return true;
        }
        if (presented.isEmpty()) {
            return false;
        }
        byte[] digest = sha256(presented.get());
        boolean accepted = false;
        for (byte[] key : digests) {
            accepted |= MessageDigest.isEqual(key, digest);
        }
        return accepted;
    }

    /** Calls refused for a missing or unknown key, one series per protocol of the edge. */
    static Counter rejections(MeterRegistry meters, String protocol) {
        return Counter.builder("recsys.gateway.auth.rejections")
                .tag("protocol", protocol)
                .description("requests refused for a missing or unknown API key")
                .register(meters);
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
