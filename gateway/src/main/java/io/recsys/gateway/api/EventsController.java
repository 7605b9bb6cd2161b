package io.recsys.gateway.api;

import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GatewayProperties;
import io.recsys.gateway.backend.GrpcMono;
import io.recsys.gateway.errors.ApiException;
import io.recsys.gateway.errors.Problem;
import io.recsys.gateway.errors.Violation;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/v1/events}: a JSON array of events. Each event is judged on its own; the answer is 200 with a result
 * per event, or 400 when not a single event could be taken.
 */
@RestController
public class EventsController {

    private final IngestionServiceGrpc.IngestionServiceStub ingestion;
    private final EventTranslator translator;
    private final Deadlines deadlines;
    private final GatewayProperties properties;

    public EventsController(
            IngestionServiceGrpc.IngestionServiceStub ingestion,
            EventTranslator translator,
            Deadlines deadlines,
            GatewayProperties properties) {
        this.ingestion = ingestion;
        this.translator = translator;
        this.deadlines = deadlines;
        this.properties = properties;
    }

    @Operation(summary = "Shopper events, each judged on its own")
    @ApiResponse(
            responseCode = "200",
            description = "at least one event was taken; one result per event, in request order",
            content =
                    @Content(mediaType = "application/json", schema = @Schema(implementation = IngestResultJson.class)))
    @ApiResponse(
            responseCode = "400",
            description = "no event was taken (results say why, per event); or the body is not a JSON array of events,"
                    + " or holds too many (problem details)",
            content = {
                @Content(mediaType = "application/json", schema = @Schema(implementation = IngestResultJson.class)),
                @Content(mediaType = OpenApiDocs.PROBLEM_JSON, schema = @Schema(implementation = Problem.class))
            })
    @PostMapping(
            path = "/api/v1/events",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<IngestResultJson>> ingest(
            @RequestBody List<EventJson> events,
            @Parameter(description = "the caller's deadline in milliseconds (default 5000, at most 30000)")
                    @RequestHeader(name = Deadlines.HEADER, required = false)
                    String deadlineHeader) {
        if (events.isEmpty()) {
            throw ApiException.badRequest("events", "must contain at least one event");
        }
        if (events.size() > properties.maxBatchSize()) {
            throw ApiException.badRequest(
                    "events", "at most " + properties.maxBatchSize() + " events per batch, got " + events.size());
        }
        var deadline = deadlines.ingest(deadlineHeader);
        IngestResultJson.Result[] results = new IngestResultJson.Result[events.size()];
        List<Event> translated = new ArrayList<>(events.size());
        List<Integer> positions = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            EventTranslator.Translation translation = translator.translate(events.get(i), i);
            if (translation.ok()) {
                translated.add(translation.event());
                positions.add(i);
            } else {
                EventJson json = events.get(i);
                results[i] = new IngestResultJson.Result(
                        i, json == null ? null : json.eventId(), "rejected", translation.violations());
            }
        }
        if (translated.isEmpty()) {
            return Mono.just(answer(results));
        }
        IngestEventsRequest request =
                IngestEventsRequest.newBuilder().addAllEvents(translated).build();
        return GrpcMono.<IngestEventsRequest, IngestEventsResponse>unary(
                        request,
                        ingestion.withDeadlineAfter(deadline.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                                ::ingestEvents)
                .map(response -> {
                    for (EventResult result : response.getResultsList()) {
                        int original = positions.get(result.getIndex());
                        results[original] = toJson(result, original);
                    }
                    return answer(results);
                });
    }

    private static ResponseEntity<IngestResultJson> answer(IngestResultJson.Result[] results) {
        int accepted = 0;
        int duplicates = 0;
        int rejected = 0;
        for (IngestResultJson.Result result : results) {
            switch (result.outcome()) {
                case "accepted" -> accepted++;
                case "duplicate" -> duplicates++;
                default -> rejected++;
            }
        }
        HttpStatus status = rejected == results.length ? HttpStatus.BAD_REQUEST : HttpStatus.OK;
        return ResponseEntity.status(status)
                .body(new IngestResultJson(accepted, duplicates, rejected, List.of(results)));
    }

    // the backend numbered the events it was sent; field paths are renumbered to the caller's positions
    private static IngestResultJson.Result toJson(EventResult result, int original) {
        String sentPrefix = "events[" + result.getIndex() + "]";
        String originalPrefix = "events[" + original + "]";
        List<Violation> violations = result.getViolationsList().stream()
                .map(v -> new Violation(
                        v.getField().startsWith(sentPrefix)
                                ? originalPrefix + v.getField().substring(sentPrefix.length())
                                : v.getField(),
                        v.getDescription()))
                .toList();
        String outcome = PublicNames.of(result.getOutcome(), "EVENT_OUTCOME_");
        return new IngestResultJson.Result(original, result.getEventId(), outcome, violations);
    }
}
