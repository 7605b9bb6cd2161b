package io.recsys.features.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recsys.contracts.platform.PlatformDefaults;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureStorePropertiesTest {

    @Test
    void unlistedTypesWeighTheDefaultAndAnEmptyMapMeansThePlatformsWeights() {
        FeatureStoreProperties properties = new FeatureStoreProperties(
                100, 50, 1000, 1000, Duration.ofDays(1), Map.of(), 0.5, 5, 50, Duration.ofDays(30));

        assertThat(properties.weightOf("purchase")).isEqualTo(8.0);
        assertThat(properties.weightOf("wishlist")).isEqualTo(0.5);
    }

    @Test
    void unsetSharedValuesAreThePlatformsOwn() {
        FeatureStoreProperties properties = new FeatureStoreProperties(
                100, 50, 1000, 1000, Duration.ofDays(1), null, null, null, null, Duration.ofDays(30));

        assertThat(properties.eventWeights()).isEqualTo(PlatformDefaults.EVENT_WEIGHTS);
        assertThat(properties.weightOf("wishlist")).isEqualTo(PlatformDefaults.CUSTOM_EVENT_WEIGHT);
        assertThat(properties.cooccurrenceRecentItems()).isEqualTo(PlatformDefaults.COOCCURRENCE_RECENT_ITEMS);
        assertThat(properties.neighboursKept()).isEqualTo(PlatformDefaults.NEIGHBOURS_KEPT);
    }

    @Test
    void servingMoreRecentItemsThanKeptIsAConfigurationError() {
        assertThatThrownBy(() -> new FeatureStoreProperties(
                        10, 20, 1000, 1000, Duration.ofDays(1), Map.of(), 1.0, 5, 50, Duration.ofDays(30)))
                .hasMessageContaining("recent-items-served");
    }
}
