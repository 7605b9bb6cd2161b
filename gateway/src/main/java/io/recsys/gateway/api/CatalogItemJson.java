package io.recsys.gateway.api;

import java.time.Instant;
import java.util.Map;

/** A catalog item as a shop's feed sends it; {@code available} absent means available. */
public record CatalogItemJson(
        String itemId,
        String title,
        String category,
        Double price,
        String currency,
        Boolean available,
        Map<String, String> attributes,
        Instant updatedAt) {}
