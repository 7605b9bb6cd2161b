package io.recsys.features.store;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.features.v1.Interaction;

/** One element of a user's recent list: "item|type|epochMillis|value" (ids cannot contain '|'). */
final class RecentInteraction {

    private RecentInteraction() {}

    static String encode(String itemId, String typeName, long occurredAtMillis, Double value) {
        return itemId + '|' + typeName + '|' + occurredAtMillis + '|' + (value == null ? "" : value.toString());
    }

    static Interaction decode(String encoded) {
        String[] parts = encoded.split("\\|", -1);
        EventType type = EventTypeNames.typeOf(parts[1]).orElse(EventType.EVENT_TYPE_CUSTOM);
        Interaction.Builder interaction = Interaction.newBuilder()
                .setItemId(parts[0])
                .setType(type)
                .setCustomType(type == EventType.EVENT_TYPE_CUSTOM ? parts[1] : "")
                .setOccurredAt(EventLogCodec.toTimestamp(java.time.Instant.ofEpochMilli(Long.parseLong(parts[2]))));
        if (parts.length > 3 && !parts[3].isEmpty()) {
            interaction.setValue(Double.parseDouble(parts[3]));
        }
        return interaction.build();
    }
}
