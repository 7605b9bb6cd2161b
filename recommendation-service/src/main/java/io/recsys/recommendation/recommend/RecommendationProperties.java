package io.recsys.recommendation.recommend;

import io.recsys.recommendation.reranking.Rule;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param defaultLimit items answered when the request does not say
 * @param maxLimit most items one request may ask for
 * @param maxExclusions most item ids a request may exclude
 * @param featureTimeout longest wait for one feature-service call (the request's deadline wins when shorter)
 * @param inferenceTimeout longest wait for one inference-service call (likewise)
 * @param excludeSeenTypes event types whose items are not recommended again (empty: every type)
 * @param diversity MMR trade-off: 1 ranks by relevance only, lower spreads the list over categories
 * @param rules business rules: multiply the relevance of items whose catalog attribute (or "category") has a value
 *     (boost above 1, bury below)
 */
@Validated
@ConfigurationProperties(RecommendationProperties.PREFIX)
public record RecommendationProperties(
        @DefaultValue("10") @Min(1) int defaultLimit,
        @DefaultValue("200") @Min(1) @Max(1_000) int maxLimit,
        @DefaultValue("500") @Min(0) @Max(10_000) int maxExclusions,
        @DefaultValue("250ms") @NotNull Duration featureTimeout,
        @DefaultValue("250ms") @NotNull Duration inferenceTimeout,
        Set<String> excludeSeenTypes,

        @DefaultValue("0.8") @DecimalMin("0") @DecimalMax("1")
        double diversity,

        List<@Valid Rule> rules) {

    public static final String PREFIX = "recsys.recommendation";

    public RecommendationProperties {
        if (defaultLimit > maxLimit) {
            throw new IllegalArgumentException("recsys.recommendation.default-limit must not exceed max-limit");
        }
        excludeSeenTypes = excludeSeenTypes == null ? Set.of() : Set.copyOf(excludeSeenTypes);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }
}
