package io.recsys.features.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.features.v1.Interaction;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecentInteractionTest {

    @Test
    void builtInAndCustomTypesRoundTrip() {
        Interaction rating =
                RecentInteraction.decode(RecentInteraction.encode("i-1", "rating", 1_700_000_000_123L, 4.5));
        Interaction wish =
                RecentInteraction.decode(RecentInteraction.encode("i-2", "wishlist", 1_700_000_000_000L, null));

        assertThat(rating.getItemId()).isEqualTo("i-1");
        assertThat(rating.getType()).isEqualTo(EventType.EVENT_TYPE_RATING);
        assertThat(rating.getValue()).isEqualTo(4.5);
        assertThat(EventLogCodec.toInstant(rating.getOccurredAt())).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(wish.getType()).isEqualTo(EventType.EVENT_TYPE_CUSTOM);
        assertThat(wish.getCustomType()).isEqualTo("wishlist");
        assertThat(wish.hasValue()).isFalse();
    }
}
