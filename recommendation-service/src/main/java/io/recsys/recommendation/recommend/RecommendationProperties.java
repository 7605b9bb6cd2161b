package io.recsys.recommendation.recommend;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param defaultLimit       items answered when the request does not say
 * @param maxLimit           most items one request may ask for
 * @param maxExclusions      most item ids a request may exclude
 * @param recentItemsUsed    how much of the user's history is read (and excluded from the answer)
 * @param featureTimeout     deadline of one call to the feature-service (the caller's deadline still wins when shorter)
 */
@Validated
@ConfigurationProperties("recsys.recommendation")
public record RecommendationProperties(
        @DefaultValue("10") @Min(1) int defaultLimit,
        @DefaultValue("200") @Min(1) @Max(1_000) int maxLimit,
        @DefaultValue("500") @Min(0) @Max(10_000) int maxExclusions,
        @DefaultValue("100") @Min(1) @Max(10_000) int recentItemsUsed,
        @DefaultValue("250ms") @NotNull Duration featureTimeout) {

    public RecommendationProperties {
        if (defaultLimit > maxLimit) {
            throw new IllegalArgumentException("recsys.recommendation.default-limit must not exceed max-limit");
        }
    }
}
