package io.recsys.benchmarks;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Shop-like load: many users, Zipf-popular items, a funnel of types; ids unique per prefix. */
final class SyntheticEvents {

    private final int users;
    private final double[] itemCumulative;
    private final SplittableRandom random;

    SyntheticEvents(int users, int items, long seed) {
        this.users = users;
        this.random = new SplittableRandom(seed);
        this.itemCumulative = new double[items];
        double sum = 0;
        for (int rank = 1; rank <= items; rank++) {
            sum += 1.0 / Math.pow(rank, 1.05);
            itemCumulative[rank - 1] = sum;
        }
        for (int i = 0; i < items; i++) {
            itemCumulative[i] /= sum;
        }
    }

    List<IngestEventsRequest> batches(String idPrefix, int events, int batchSize) {
        List<IngestEventsRequest> batches = new ArrayList<>(events / batchSize + 1);
        long now = System.currentTimeMillis();
        for (int from = 0; from < events; from += batchSize) {
            IngestEventsRequest.Builder batch = IngestEventsRequest.newBuilder();
            for (int i = from; i < Math.min(from + batchSize, events); i++) {
                batch.addEvents(event(idPrefix + i, now));
            }
            batches.add(batch.build());
        }
        return batches;
    }

    /** One batch of {@code size} events with ids {@code idPrefix + first ...}. */
    IngestEventsRequest batch(String idPrefix, long first, int size) {
        IngestEventsRequest.Builder batch = IngestEventsRequest.newBuilder();
        long now = System.currentTimeMillis();
        for (long i = first; i < first + size; i++) {
            batch.addEvents(event(idPrefix + i, now));
        }
        return batch.build();
    }

    String user() {
        return "u" + random.nextInt(users);
    }

    String item() {
        int rank = java.util.Arrays.binarySearch(itemCumulative, random.nextDouble());
        return "i" + (rank < 0 ? -rank - 1 : rank);
    }

    private Event event(String id, long now) {
        double roll = random.nextDouble();
        EventType type = roll < 0.7
                ? EventType.EVENT_TYPE_VIEW
                : roll < 0.85
                        ? EventType.EVENT_TYPE_CLICK
                        : roll < 0.95 ? EventType.EVENT_TYPE_ADD_TO_CART : EventType.EVENT_TYPE_PURCHASE;
        return Event.newBuilder()
                .setEventId(id)
                .setUserId(user())
                .setItemId(item())
                .setType(type)
                .setOccurredAt(
                        EventLogCodec.toTimestamp(java.time.Instant.ofEpochMilli(now - random.nextInt(3_600_000))))
                .setContext(EventContext.newBuilder()
                        .setSessionId("s" + random.nextInt(1_000_000))
                        .setDevice("mobile"))
                .build();
    }
}
