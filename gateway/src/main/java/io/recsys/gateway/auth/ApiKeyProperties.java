package io.recsys.gateway.auth;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
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
 */
@Validated
@ConfigurationProperties("recsys.gateway.auth")
public record ApiKeyProperties(
        @DefaultValue({}) @NotNull List<@NotNull @Size(min = 16, max = 512) String> apiKeys,
        @DefaultValue({}) @NotNull Map<@Pattern(regexp = CLIENT_NAME) String, @Valid @NotNull Client> clients) {

    public static final String DEFAULT_CLIENT = "default";
    public static final String ANONYMOUS_CLIENT = "anonymous";

    /** A client's name: a metric tag and part of a Redis key, so plain lower-case words. */
    public static final String CLIENT_NAME = "[a-z0-9][a-z0-9-]{0,62}";

    public record Client(@NotEmpty List<@NotNull @Size(min = 16, max = 512) String> apiKeys) {}
}
