package io.recsys.gateway.auth;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may call the public API.
 *
 * @param apiKeys the keys accepted in {@code X-Api-Key} (or {@code Authorization: Bearer}) on HTTP and in the
 *     {@code x-api-key} metadata on gRPC. Several at once so that a key can be rotated without downtime: add the new
 *     one, move the callers, remove the old one. Empty: the API is open (the local default; the Helm chart always sets
 *     keys from a Secret).
 */
@Validated
@ConfigurationProperties("recsys.gateway.auth")
public record ApiKeyProperties(@DefaultValue({}) @NotNull List<@NotNull @Size(min = 16, max = 512) String> apiKeys) {}
