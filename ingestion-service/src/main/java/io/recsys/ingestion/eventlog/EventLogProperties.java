package io.recsys.ingestion.eventlog;

import io.recsys.contracts.platform.PlatformDefaults;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the event log lives; the feature-service reads the same keys. The stream and the de-duplication keys share the
 * hash tag {@code {events}} so that one atomic script may touch them all, on a single Redis or in a cluster.
 *
 * @param streamKey the Redis Stream holding the log (default: the platform's, {@link PlatformDefaults})
 * @param seenKeyPrefix prefix of the keys remembering event ids for de-duplication
 * @param maxLength approximate length the stream is trimmed to (oldest entries go first)
 */
@Validated
@ConfigurationProperties("recsys.event-log")
public record EventLogProperties(
        @NotBlank String streamKey,
        @DefaultValue("recsys:{events}:seen:") @NotBlank String seenKeyPrefix,
        @DefaultValue("5000000") @Positive long maxLength) {

    public EventLogProperties {
        streamKey = streamKey == null ? PlatformDefaults.EVENT_LOG_STREAM_KEY : streamKey;
    }
}
