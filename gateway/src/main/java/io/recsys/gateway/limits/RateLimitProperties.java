package io.recsys.gateway.limits;

import io.recsys.gateway.auth.ApiKeyProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-client request limits at the edge: a token bucket per client, kept in Redis so that every gateway replica draws
 * from the same bucket.
 *
 * @param enabled off: every request passes (no Redis call at all)
 * @param defaults the limit of a client without one of its own, and of each anonymous caller (by address)
 * @param clients limits by client name (those of {@code recsys.gateway.auth}, the key-list client included)
 * @param redisTimeout how long a bucket lookup may take; past it, or when Redis fails, the request passes (an
 *     unreachable Redis must not take the API down) and {@code recsys.gateway.rate_limit.failures} counts it
 */
@Validated
@ConfigurationProperties("recsys.gateway.rate-limit")
public record RateLimitProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue @Valid @NotNull Limit defaults,

        @DefaultValue({}) @NotNull
        Map<@Pattern(regexp = ApiKeyProperties.CLIENT_NAME) String, @Valid @NotNull Limit> clients,

        @DefaultValue("100ms") @NotNull Duration redisTimeout) {

    /**
     * @param requestsPerSecond the sustained rate, tokens added to the bucket per second
     * @param burst the bucket's size: how many requests may come at once after a quiet spell
     */
    public record Limit(
            @DefaultValue("1000") @Min(1) int requestsPerSecond,
            @DefaultValue("2000") @Min(1) int burst) {

        @AssertTrue(
                message = "burst must be at least requests-per-second, or the bucket never fills for a second's worth")
        public boolean isBurstAtLeastTheRate() {
            return burst >= requestsPerSecond;
        }
    }

    public Limit limitOf(String client) {
        return clients.getOrDefault(client, defaults);
    }
}
