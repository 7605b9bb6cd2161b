package io.recsys.features.consumer;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the feature-service follows the event log's partitions.
 *
 * @param enabled off only for tests and tools that must not consume
 * @param consumerName this replica's name among the consumers; unique per replica (the pod name in Kubernetes)
 * @param entriesPerRound log entries read per partition per round (an entry holds up to one ingestion batch's events of
 *     the partition)
 * @param eventsPerRound events applied per partition per round, at most (but at least one entry): it bounds how long
 *     each apply script holds Redis, during which every other client of that Redis waits
 * @param maxIdlePause the longest pause between rounds that found nothing new: pauses start at a sixteenth of it and
 *     double while the log stays idle, so an idle replica polls a few times a second and a busy one not at all
 * @param retryBackoff pause after a failed read or apply (Redis down)
 * @param leaseTtl a replica that has not renewed its membership and partition leases for this long is taken as gone,
 *     and its partitions are shared out among the others
 * @param renewEvery how often leases are renewed and partitions re-shared; well under {@code lease-ttl}
 */
@Validated
@ConfigurationProperties("recsys.features.consumer")
public record ConsumerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("feature-service-1") @NotBlank String consumerName,
        @DefaultValue("16") @Min(1) @Max(1_000) int entriesPerRound,
        @DefaultValue("256") @Min(1) @Max(100_000) int eventsPerRound,
        @DefaultValue("100ms") @NotNull Duration maxIdlePause,
        @DefaultValue("1s") @NotNull Duration retryBackoff,
        @DefaultValue("10s") @NotNull Duration leaseTtl,
        @DefaultValue("2s") @NotNull Duration renewEvery) {

    public ConsumerProperties {
        if (leaseTtl != null && renewEvery != null && renewEvery.multipliedBy(2).compareTo(leaseTtl) > 0) {
            throw new IllegalArgumentException(
                    "recsys.features.consumer.renew-every must be at most half of lease-ttl, or leases lapse");
        }
    }
}
