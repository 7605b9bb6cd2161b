package io.recsys.recommendation.features;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the in-memory copy of every item's signals is kept fresh from the feature-service's change feed. An event's
 * effect on an item's signals reaches ranking within {@code refresh} plus the feature-service's apply lag (plus one
 * {@code timeout} when a poll is slow).
 *
 * @param refresh how often the change feed is polled
 * @param overlap each poll starts this far before where the last one ended: a batch the feature-service stamped earlier
 *     but committed later (another consumer, a slower clock) is still seen
 * @param pageSize items asked per page of the change feed
 * @param timeout longest wait for one page
 * @param reage cached popularity windows older than this are decayed to now on the next poll (they decay between
 *     changes too)
 */
@Validated
@ConfigurationProperties(ItemSignalsProperties.PREFIX)
public record ItemSignalsProperties(
        @DefaultValue("1s") @NotNull Duration refresh,
        @DefaultValue("5s") @NotNull Duration overlap,
        @DefaultValue("1000") @Min(1) @Max(100_000) int pageSize,
        @DefaultValue("2s") @NotNull Duration timeout,
        @DefaultValue("1m") @NotNull Duration reage) {

    public static final String PREFIX = "recsys.recommendation.item-signals";
}
