package io.recsys.recommendation.reranking;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

/**
 * A business rule: items whose catalog attribute (or "category") has the value get their relevance multiplied by the
 * factor (a boost above 1, burying below).
 */
public record Rule(
        @NotBlank String attribute,
        @NotBlank String value,
        @Positive double factor) {}
