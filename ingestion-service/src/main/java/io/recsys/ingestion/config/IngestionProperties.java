package io.recsys.ingestion.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits and policies of ingestion.
 *
 * @param maxBatchSize most events (or items) accepted in one request
 * @param dedupWindow how long an event id is remembered; a repeat within it is a duplicate
 * @param maxClockSkew how far in the future an event's timestamp may lie
 * @param maxEventAge how far in the past an event's timestamp may lie (older ones are almost always seconds sent as
 *     milliseconds, or replays of ancient data)
 * @param maxTextLength longest free-text value (context fields, titles, attributes)
 * @param maxAttributes most attributes per event context or item
 * @param ratingRange the bounds of a rating's value
 * @param maxQuantity largest quantity of one event
 * @param retryAfter the retry hint given to callers when the event log is unavailable or busy
 * @param maxConcurrentBatches batches appended at once; more are refused with RESOURCE_EXHAUSTED. Their Redis work
 *     queues up (Redis runs one command at a time), so the bound keeps the last one's wait well under the Redis command
 *     timeout: at 64, an offered 100,000 events/s (batches of 1,000) beside the feature consumer made every call time
 *     out while Redis still appended its events, so nothing was acknowledged at all ({@code ./recsys bench ingestion},
 *     sustained scenario)
 */
@Validated
@ConfigurationProperties("recsys.ingestion")
public record IngestionProperties(
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxBatchSize,
        @DefaultValue("24h") @NotNull Duration dedupWindow,
        @DefaultValue("5m") @NotNull Duration maxClockSkew,
        @DefaultValue("365d") @NotNull Duration maxEventAge,
        @DefaultValue("512") @Min(16) @Max(65_536) int maxTextLength,
        @DefaultValue("32") @Min(0) @Max(1_000) int maxAttributes,
        @DefaultValue @NotNull RatingRange ratingRange,
        @DefaultValue("10000") @Positive int maxQuantity,
        @DefaultValue("1s") @NotNull Duration retryAfter,
        @DefaultValue("16") @Min(1) @Max(10_000) int maxConcurrentBatches) {

    public IngestionProperties {
        if (dedupWindow != null && dedupWindow.toSeconds() < 1) {
            throw new IllegalArgumentException("recsys.ingestion.dedup-window must be at least 1s");
        }
    }

    public record RatingRange(
            @DefaultValue("0") double min,
            @DefaultValue("5") double max) {
        public RatingRange {
            if (!(min < max)) {
                throw new IllegalArgumentException("recsys.ingestion.rating-range.min must be below max");
            }
        }
    }
}
