package io.recsys.features.store;

import io.recsys.contracts.platform.PlatformDefaults;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How features are kept and served.
 *
 * @param recentItemsKept interactions kept per user (newest first)
 * @param recentItemsServed interactions returned when a request does not say how many
 * @param maxItemsPerRequest most items one GetFeatures call may ask for
 * @param maxPopularLimit most items one GetPopularItems call may ask for
 * @param userTtl a user's features expire after this long without activity
 * @param eventWeights popularity weight per event type name; unlisted (custom) types weigh {@code defaultWeight}
 * @param defaultWeight weight of event types not listed in {@code eventWeights}
 * @param cooccurrenceRecentItems how many of the user's most recent other items an event pairs its item with (0: off)
 * @param neighboursKept co-occurrence neighbours kept per item (the strongest); a request for more is clamped
 *     <p>The last four default to the platform's values ({@link PlatformDefaults}), which the recommendation-service
 *     and the python-worker share.
 * @param staleAfter features not updated for this long are reported STALE rather than PRESENT
 */
@Validated
@ConfigurationProperties("recsys.features")
public record FeatureStoreProperties(
        @DefaultValue("100") @Min(1) @Max(10_000) int recentItemsKept,
        @DefaultValue("50") @Min(1) @Max(10_000) int recentItemsServed,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxItemsPerRequest,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxPopularLimit,
        @DefaultValue("90d") @NotNull Duration userTtl,
        @NotNull Map<String, Double> eventWeights,
        @NotNull Double defaultWeight,
        @NotNull @Min(0) @Max(100) Integer cooccurrenceRecentItems,
        @NotNull @Min(1) @Max(10_000) Integer neighboursKept,
        @DefaultValue("30d") @NotNull Duration staleAfter) {

    public FeatureStoreProperties {
        eventWeights = eventWeights == null || eventWeights.isEmpty()
                ? PlatformDefaults.EVENT_WEIGHTS
                : Map.copyOf(eventWeights);
        defaultWeight = defaultWeight == null ? PlatformDefaults.CUSTOM_EVENT_WEIGHT : defaultWeight;
        cooccurrenceRecentItems =
                cooccurrenceRecentItems == null ? PlatformDefaults.COOCCURRENCE_RECENT_ITEMS : cooccurrenceRecentItems;
        neighboursKept = neighboursKept == null ? PlatformDefaults.NEIGHBOURS_KEPT : neighboursKept;
        if (recentItemsServed > recentItemsKept) {
            throw new IllegalArgumentException("recsys.features.recent-items-served must not exceed recent-items-kept");
        }
    }

    public double weightOf(String eventTypeName) {
        return eventWeights.getOrDefault(eventTypeName, defaultWeight);
    }
}
