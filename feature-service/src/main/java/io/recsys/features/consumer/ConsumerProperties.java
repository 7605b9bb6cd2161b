package io.recsys.features.consumer;

import io.recsys.contracts.platform.PlatformDefaults;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the feature-service follows the event log.
 *
 * @param enabled off only for tests and tools that must not consume
 * @param streamKey the event log written by the ingestion-service (default: the platform's, {@link PlatformDefaults})
 * @param group consumer group shared by every replica
 * @param consumerName this replica's name in the group; must stay the same across restarts so that its unacknowledged
 *     entries are picked up again
 * @param batchSize entries read and applied per round trip
 * @param blockFor how long one read waits for new entries; shorter than the Redis command timeout
 * @param retryBackoff pause after a failed read or apply (Redis down)
 * @param claimIdle entries pending this long with another consumer (one that died) are taken over
 * @param claimEvery how often to look for such entries
 */
@Validated
@ConfigurationProperties("recsys.features.consumer")
public record ConsumerProperties(
        @DefaultValue("true") boolean enabled,
        @NotBlank String streamKey,
        @DefaultValue("feature-service") @NotBlank String group,
        @DefaultValue("feature-service-1") @NotBlank String consumerName,
        @DefaultValue("500") @Min(1) @Max(10_000) int batchSize,
        @DefaultValue("500ms") @NotNull Duration blockFor,
        @DefaultValue("1s") @NotNull Duration retryBackoff,
        @DefaultValue("60s") @NotNull Duration claimIdle,
        @DefaultValue("10s") @NotNull Duration claimEvery) {

    public ConsumerProperties {
        streamKey = streamKey == null ? PlatformDefaults.EVENT_LOG_STREAM_KEY : streamKey;
    }
}
