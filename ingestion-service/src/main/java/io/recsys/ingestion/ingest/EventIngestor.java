package io.recsys.ingestion.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.ingestion.config.IngestionProperties;
import io.recsys.ingestion.eventlog.RedisEventLog;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * One batch of events: validate each, append the valid ones (one atomic script per log partition, all in one round
 * trip), report per event. A bad event is rejected on its own; it never fails the rest of its batch.
 */
@Component
public class EventIngestor {

    private final EventValidator validator;
    private final RedisEventLog eventLog;
    private final IngestionProperties properties;
    private final AppendLimiter limiter;
    private final Counter accepted;
    private final Counter duplicates;
    private final Counter rejected;

    public EventIngestor(
            EventValidator validator,
            RedisEventLog eventLog,
            IngestionProperties properties,
            AppendLimiter limiter,
            MeterRegistry meters) {
        this.validator = validator;
        this.eventLog = eventLog;
        this.properties = properties;
        this.limiter = limiter;
        this.accepted = outcomeCounter(meters, "accepted");
        this.duplicates = outcomeCounter(meters, "duplicate");
        this.rejected = outcomeCounter(meters, "rejected");
    }

    /** Rejects request-level problems (empty or oversize batch) with INVALID_ARGUMENT. */
    public void checkBatchSize(int size) {
        BatchSize.check("events", size, properties.maxBatchSize());
    }

    /** Ingests one batch; result indexes start at {@code indexOffset} (non-zero inside a stream). */
    public IngestEventsResponse ingest(List<Event> events, int indexOffset) {
        EventResult[] results = new EventResult[events.size()];
        List<Event> valid = new ArrayList<>(events.size());
        List<Integer> validPositions = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i);
            int index = indexOffset + i;
            FieldViolations violations = validator.validate(event, "events[" + index + "]");
            if (violations.isEmpty()) {
                valid.add(event);
                validPositions.add(i);
            } else {
                results[i] = result(index, event, EventOutcome.EVENT_OUTCOME_REJECTED)
                        .addAllViolations(violations.list())
                        .build();
            }
        }
        boolean[] duplicate = limiter.run(() -> eventLog.appendEvents(valid, properties.dedupWindow()));
        for (int k = 0; k < valid.size(); k++) {
            int position = validPositions.get(k);
            EventOutcome outcome =
                    duplicate[k] ? EventOutcome.EVENT_OUTCOME_DUPLICATE : EventOutcome.EVENT_OUTCOME_ACCEPTED;
            results[position] =
                    result(indexOffset + position, valid.get(k), outcome).build();
        }
        return summarize(results);
    }

    private IngestEventsResponse summarize(EventResult[] results) {
        IngestEventsResponse.Builder response = IngestEventsResponse.newBuilder();
        int acceptedCount = 0;
        int duplicateCount = 0;
        int rejectedCount = 0;
        for (EventResult result : results) {
            response.addResults(result);
            switch (result.getOutcome()) {
                case EVENT_OUTCOME_ACCEPTED -> acceptedCount++;
                case EVENT_OUTCOME_DUPLICATE -> duplicateCount++;
                default -> rejectedCount++;
            }
        }
        accepted.increment(acceptedCount);
        duplicates.increment(duplicateCount);
        rejected.increment(rejectedCount);
        return response.setAccepted(acceptedCount)
                .setDuplicates(duplicateCount)
                .setRejected(rejectedCount)
                .build();
    }

    private static EventResult.Builder result(int index, Event event, EventOutcome outcome) {
        return EventResult.newBuilder()
                .setIndex(index)
                .setEventId(event.getEventId())
                .setOutcome(outcome);
    }

    private static Counter outcomeCounter(MeterRegistry meters, String outcome) {
        return Counter.builder("recsys.ingestion.events")
                .tag("outcome", outcome)
                .description("Events received, by outcome")
                .register(meters);
    }
}
