package io.recsys.gateway.auth;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may call the public API. A key names its client: the rate limits are per client, and so are the metrics.
 *
 * @param apiKeys keys of the client named {@value #DEFAULT_CLIENT}, accepted in {@code X-Api-Key} (or
 *     {@code Authorization: Bearer}) on HTTP and in the {@code x-api-key} metadata on gRPC. Several at once so that a
 *     key can be rotated without downtime: add the new one, move the callers, remove the old one. With no key at all
 *     here or in {@code clients} the API is open (the local default; the Helm chart always sets keys from a Secret) and
 *     every caller is the client {@value #ANONYMOUS_CLIENT}.
 * @param clients further clients by name, each with its own keys (rotated the same way)
 * @param apiKeysFile more keys of the client {@value #DEFAULT_CLIENT}: a file of keys separated by commas or line
 *     breaks (the Helm chart mounts its Secret here), read at start and again every {@code reloadEvery}, so that a
 *     rotation needs no restart. At start it must hold at least one valid key; later a content that is unreadable,
 *     empty or holds an invalid key is refused and the keys in force stay
 * @param reloadEvery how often {@code apiKeysFile} is read again
 */
@Validated
@ConfigurationProperties("recsys.gateway.auth")
public record ApiKeyProperties(
        @DefaultValue({}) @NotNull List<@NotNull @Size(min = MIN_KEY_LENGTH, max = MAX_KEY_LENGTH) String> apiKeys,
        @DefaultValue({}) @NotNull Map<@Pattern(regexp = CLIENT_NAME) String, @Valid @NotNull Client> clients,
        @Nullable Path apiKeysFile,
        @DefaultValue("5s") @NotNull Duration reloadEvery) {

    public static final String DEFAULT_CLIENT = "default";
    public static final String ANONYMOUS_CLIENT = "anonymous";

    /** A client's name: a metric tag and part of a Redis key, so plain lower-case words. */
    public static final String CLIENT_NAME = "[a-z0-9][a-z0-9-]{0,62}";

    /** The length a key must have, wherever it is given. */
    public static final int MIN_KEY_LENGTH = 16;

    public static final int MAX_KEY_LENGTH = 512;

    public record Client(@NotEmpty List<@NotNull @Size(min = MIN_KEY_LENGTH, max = MAX_KEY_LENGTH) String> apiKeys) {}
}
