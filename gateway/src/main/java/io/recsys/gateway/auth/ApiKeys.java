package io.recsys.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The accepted API keys and the client each one names. Keys are compared as SHA-256 digests with a constant-time
 * comparison against every key, so the time an answer takes says nothing about how much of a guess was right or which
 * key it came close to. Keys in {@code api-keys-file} are read again every {@code reload-every}: a rotation of a
 * mounted Secret takes effect without a restart.
 */
@Component
public class ApiKeys implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final String BEARER = "Bearer ";
    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

    private record Key(byte[] digest, String client) {}

    private final List<Key> configured;
    private final @Nullable Path file;
    private final Duration reloadEvery;
    private volatile List<Key> keys;
    private @Nullable String fileContent;
    private @Nullable ScheduledExecutorService reloader;

    public ApiKeys(ApiKeyProperties properties) {
        List<Key> all = new ArrayList<>();
        properties.apiKeys().forEach(key -> all.add(new Key(sha256(key), ApiKeyProperties.DEFAULT_CLIENT)));
        properties.clients().forEach((client, settings) -> {
            if (client.equals(ApiKeyProperties.ANONYMOUS_CLIENT)) {
                throw new IllegalArgumentException("recsys.gateway.auth.clients: '" + client + "' is reserved");
            }
            settings.apiKeys().forEach(key -> all.add(new Key(sha256(key), client)));
        });
        this.configured = List.copyOf(all);
        this.file = properties.apiKeysFile();
        this.reloadEvery = properties.reloadEvery();
        if (file == null) {
            this.keys = distinct(configured);
        } else {
            try {
                String content = Files.readString(file);
                this.keys = withFileKeys(content);
                this.fileContent = content;
            } catch (IOException e) {
                throw new IllegalArgumentException("recsys.gateway.auth.api-keys-file: cannot read " + file, e);
            }
        }
    }

    /**
     * Reads {@code api-keys-file} again and puts its keys in force when its content changed and is valid; otherwise the
     * keys in force stay. True when new keys took effect.
     */
    public synchronized boolean reload() {
        if (file == null) {
            return false;
        }
        String content;
        try {
            content = Files.readString(file);
        } catch (IOException e) {
            log.warn("API keys: cannot read {}; the keys in force stay: {}", file, e.toString());
            return false;
        }
        if (content.equals(fileContent)) {
            return false;
        }
        try {
            keys = withFileKeys(content);
            fileContent = content;
            log.info("API keys: {} now in force from {}", keys.size(), file);
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("API keys: {} refused; the keys in force stay: {}", file, e.getMessage());
            return false;
        }
    }

    private List<Key> withFileKeys(String content) {
        List<Key> all = new ArrayList<>(configured);
        int inFile = 0;
        for (String key : SEPARATORS.split(content.strip())) {
            if (key.isEmpty()) {
                continue;
            }
            if (key.length() < ApiKeyProperties.MIN_KEY_LENGTH || key.length() > ApiKeyProperties.MAX_KEY_LENGTH) {
                throw new IllegalArgumentException("recsys.gateway.auth.api-keys-file: a key of " + key.length()
                        + " characters; keys have " + ApiKeyProperties.MIN_KEY_LENGTH + " to "
                        + ApiKeyProperties.MAX_KEY_LENGTH);
            }
            all.add(new Key(sha256(key), ApiKeyProperties.DEFAULT_CLIENT));
            inFile++;
        }
        // an empty file mid-rotation must not open the API
        if (inFile == 0) {
            throw new IllegalArgumentException("recsys.gateway.auth.api-keys-file: " + file + " holds no key");
        }
        return distinct(all);
    }

    private static List<Key> distinct(List<Key> all) {
        Set<String> digests = new HashSet<>();
        for (Key key : all) {
            if (!digests.add(HexFormat.of().formatHex(key.digest()))) {
                // one key for two clients would make the client a key names depend on the order of the list
                throw new IllegalArgumentException("recsys.gateway.auth: an API key is given more than once");
            }
        }
        return List.copyOf(all);
    }

    @Override
    public synchronized void start() {
        if (file == null) {
            return;
        }
        reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "api-keys-reload");
            thread.setDaemon(true);
            return thread;
        });
        ScheduledFuture<?> unused = reloader.scheduleWithFixedDelay(
                this::reload, reloadEvery.toMillis(), reloadEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (reloader != null) {
            reloader.shutdownNow();
            reloader = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return reloader != null;
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
