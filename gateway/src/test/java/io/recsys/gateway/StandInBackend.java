package io.recsys.gateway;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.ItemOutcome;
import io.recsys.contracts.events.v1.ItemResult;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Both backends of the gateway on one real gRPC socket, answering by the id in the request: a user, the first event's
 * id or the first item's id of {@code internal-error} fails with INTERNAL, {@code unavailable} with UNAVAILABLE and a
 * retry delay, {@code unreachable} with UNAVAILABLE alone (what a reset connection looks like), {@code never-answers}
 * not at all; {@code flaky-once} is unreachable on its first call only. An empty user or item id is rejected as the
 * real services reject it. Calls are counted by that id.
 */
public final class StandInBackend implements AutoCloseable {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Server server;

    public StandInBackend() {
        try {
            server = ServerBuilder.forPort(0)
                    .addService(new Recommendations())
                    .addService(new Ingestion())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String target() {
        return "static://127.0.0.1:" + server.getPort();
    }

    public int calls(String id) {
        return calls.getOrDefault(id, new AtomicInteger()).get();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    /** True when the call was answered with a failure (or is left unanswered) as the id asks. */
    private boolean failedAsAsked(String id, StreamObserver<?> responses) {
        int call = calls.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
        switch (id) {
            case "internal-error" ->
                responses.onError(Status.INTERNAL.withDescription("boom").asRuntimeException());
            case "unavailable" -> responses.onError(GrpcErrors.unavailable("store unavailable", Duration.ofSeconds(2)));
            case "unreachable" ->
                responses.onError(
                        Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
            case "flaky-once" -> {
                if (call > 1) {
                    return false;
                }
                responses.onError(
                        Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());
            }
            case "never-answers" -> {
                // the caller's deadline ends the call
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private final class Recommendations extends RecommendationServiceGrpc.RecommendationServiceImplBase {
        @Override
        public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> responses) {
            if (failedAsAsked(request.getUserId(), responses)) {
                return;
            }
            if (request.getUserId().equals("bad-request")) {
                responses.onError(GrpcErrors.invalidArgument(
                        new FieldViolations().add("user_id", "is not one").list()));
                return;
            }
            RecommendResponse.Builder answer = RecommendResponse.newBuilder()
                    .setUserId(request.getUserId())
                    .setModelVersion("popularity")
                    .setDepth(PredictionDepth.PREDICTION_DEPTH_FULL);
            for (int i = 1; i <= Math.max(1, request.getLimit()); i++) {
                answer.addItems(RecommendedItem.newBuilder()
                        .setItemId("top-" + i)
                        .setScore(1.0 / i)
                        .addSources(CandidateSource.CANDIDATE_SOURCE_POPULARITY));
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }
    }

    private final class Ingestion extends IngestionServiceGrpc.IngestionServiceImplBase {
        @Override
        public void ingestEvents(IngestEventsRequest request, StreamObserver<IngestEventsResponse> responses) {
            if (failedAsAsked(request.getEvents(0).getEventId(), responses)) {
                return;
            }
            IngestEventsResponse.Builder answer = IngestEventsResponse.newBuilder();
            for (int i = 0; i < request.getEventsCount(); i++) {
                EventResult.Builder result = EventResult.newBuilder()
                        .setIndex(i)
                        .setEventId(request.getEvents(i).getEventId());
                if (request.getEvents(i).getUserId().isEmpty()) {
                    result.setOutcome(EventOutcome.EVENT_OUTCOME_REJECTED)
                            .addAllViolations(new FieldViolations()
                                    .add("events[" + i + "].user_id", "is required")
                                    .list());
                    answer.setRejected(answer.getRejected() + 1);
                } else {
                    result.setOutcome(EventOutcome.EVENT_OUTCOME_ACCEPTED);
                    answer.setAccepted(answer.getAccepted() + 1);
                }
                answer.addResults(result);
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void upsertItems(UpsertItemsRequest request, StreamObserver<UpsertItemsResponse> responses) {
            if (failedAsAsked(request.getItems(0).getItemId(), responses)) {
                return;
            }
            UpsertItemsResponse.Builder answer = UpsertItemsResponse.newBuilder();
            for (int i = 0; i < request.getItemsCount(); i++) {
                ItemResult.Builder result = ItemResult.newBuilder()
                        .setIndex(i)
                        .setItemId(request.getItems(i).getItemId());
                if (request.getItems(i).getItemId().isEmpty()) {
                    result.setOutcome(ItemOutcome.ITEM_OUTCOME_REJECTED)
                            .addAllViolations(new FieldViolations()
                                    .add("items[" + i + "].item_id", "is required")
                                    .list());
                    answer.setRejected(answer.getRejected() + 1);
                } else {
                    result.setOutcome(ItemOutcome.ITEM_OUTCOME_UPSERTED);
                    answer.setUpserted(answer.getUpserted() + 1);
                }
                answer.addResults(result);
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }
    }
}
