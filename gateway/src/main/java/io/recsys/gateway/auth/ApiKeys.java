package io.recsys.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The accepted API keys and the client each one names. Keys are compared as SHA-256 digests with a constant-time
 * comparison against every key, so the time an answer takes says nothing about how much of a guess was right or which
 * key it came close to.
 */
@Component
public class ApiKeys {

    private static final String BEARER = "Bearer ";

    private record Key(byte[] digest, String client) {}

    private final List<Key> keys;

    public ApiKeys(ApiKeyProperties properties) {
        List<Key> all = new ArrayList<>();
        properties.apiKeys().forEach(key -> all.add(new Key(sha256(key), ApiKeyProperties.DEFAULT_CLIENT)));
        properties.clients().forEach((client, settings) -> {
            if (client.equals(ApiKeyProperties.ANONYMOUS_CLIENT)) {
                throw new IllegalArgumentException("recsys.gateway.auth.clients: '" + client + "' is reserved");
            }
            settings.apiKeys().forEach(key -> all.add(new Key(sha256(key), client)));
        });
        Set<String> distinct = new HashSet<>();
        for (Key key : all) {
            if (!distinct.add(java.util.HexFormat.of().formatHex(key.digest()))) {
                // one key for two clients would make the client a key names depend on the order of the list
                throw new IllegalArgumentException("recsys.gateway.auth: an API key is given more than once");
            }
        }
        this.keys = List.copyOf(all);
    }

    /** Whether callers must present a key at all. */
    public boolean required() {
        return !keys.isEmpty();
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

    /**
     * The client the presented key names; {@value ApiKeyProperties#ANONYMOUS_CLIENT} when no key is required; empty
     * when the key is missing or unknown.
     */
    public Optional<String> clientOf(Optional<String> presented) {
        if (!required()) {
            return Optional.of(ApiKeyProperties.ANONYMOUS_CLIENT);
        }
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented.get());
        String client = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.digest(), digest)) {
                client = key.client();
            }
        }
        return Optional.ofNullable(client);
    }

    public boolean accepts(Optional<String> presented) {
        return clientOf(presented).isPresent();
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
