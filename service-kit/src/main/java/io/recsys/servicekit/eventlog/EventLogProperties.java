package io.recsys.servicekit.eventlog;

import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.platform.PlatformDefaults;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The event log's layout, which the ingestion-service and the feature-service must agree on (docs/event-log.md).
 *
 * @param partitions how many partitions (Redis Streams); default: the platform's, {@link PlatformDefaults}
 * @param maxEntries approximate length each partition's stream is trimmed to, in entries (oldest entries go first)
 * @param maxEventsPerEntry most events in one entry: a batch's events of one partition become one entry, or several
 *     when they are more; it bounds how long appending, and later applying, one entry holds Redis
 */
@Validated
@ConfigurationProperties("recsys.event-log")
public record EventLogProperties(
        @Min(1) @Max(1024) Integer partitions,
        @DefaultValue("1000000") @Min(1) long maxEntries,
        @DefaultValue("256") @Min(1) @Max(10_000) int maxEventsPerEntry) {

    public EventLogProperties {
        partitions = partitions == null ? PlatformDefaults.EVENT_LOG_PARTITIONS : partitions;
    }

    public EventLogPartitions layout() {
        return new EventLogPartitions(partitions);
    }
}
