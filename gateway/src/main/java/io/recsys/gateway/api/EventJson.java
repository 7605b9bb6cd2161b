package io.recsys.gateway.api;

import java.time.Instant;
import java.util.Map;

/** One shopper event as front ends send it (snake_case JSON, like every public body). */
public record EventJson(
        String eventId,
        String userId,
        String itemId,
        String type,
        String customType,
        Double value,
        Integer quantity,
        Instant occurredAt,
        Context context) {

    public record Context(String sessionId, String device, String page, Map<String, String> attributes) {}
}
