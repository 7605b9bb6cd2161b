package io.recsys.inference.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.contracts.inference.v1.RetrieveResponse;
import io.recsys.inference.batching.RankBatcher;
import io.recsys.inference.config.InferenceProperties;
import io.recsys.inference.model.LoadedModel;
import io.recsys.inference.model.ModelRegistry;
import io.recsys.inference.retrieval.Embeddings;
import io.recsys.inference.retrieval.ExactRetriever;
import io.recsys.servicekit.GrpcErrorTranslation;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Service;

/**
 * Model serving over gRPC. Rank goes through the dynamic batcher and answers asynchronously; each call holds the model
 * version it started with until it answers, so a swap never fails a request.
 */
@Service
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {

    private final ModelRegistry registry;
    private final RankBatcher<LoadedModel> batcher;
    private final InferenceProperties properties;
    private final ModelInfos modelInfos;
    private final GrpcErrorTranslation errors;

    public InferenceGrpcService(
            ModelRegistry registry,
            RankBatcher<LoadedModel> batcher,
            InferenceProperties properties,
            ModelInfos modelInfos,
            GrpcErrorTranslation errors) {
        this.registry = registry;
        this.batcher = batcher;
        this.properties = properties;
        this.modelInfos = modelInfos;
        this.errors = errors;
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
        responses.onNext(modelInfos.current());
        responses.onCompleted();
    }

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
        ModelRegistry.Lease lease = lease(request.getModelVersion());
        float[] rows;
        try {
            rows = RankRequests.rows(request, lease.model().bundle(), properties.maxCandidates());
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
        String version = lease.model().version();
        var unused = batcher.submit(
                        lease.model(),
                        rows,
                        request.getCandidatesCount(),
                        lease.model().width(),
                        deadlineNanos())
                .whenComplete((scores, error) -> {
                    lease.close();
                    if (error != null) {
                        // answered off the gRPC thread: the shared translation, as a thrown error would get
                        responses.onError(errors.handleException(asStatus(error)));
                        return;
                    }
                    RankResponse.Builder response = RankResponse.newBuilder().setModelVersion(version);
                    for (float score : scores) {
                        response.addScores(score);
                    }
                    responses.onNext(response.build());
                    responses.onCompleted();
                });
    }

    @Override
    public void retrieve(RetrieveRequest request, StreamObserver<RetrieveResponse> responses) {
        try (ModelRegistry.Lease lease = lease(request.getModelVersion())) {
            Embeddings embeddings = lease.model().bundle().embeddings();
            FieldViolations violations = new FieldViolations();
            if (request.getTopK() < 1 || request.getTopK() > properties.maxRetrieveK()) {
                violations.add("top_k", "must be between 1 and " + properties.maxRetrieveK());
            }
            float[] userVector = switch (request.getQueryCase()) {
                case USER_VECTOR -> {
                    var values = request.getUserVector().getValuesList();
                    if (values.size() != embeddings.dimension()
                            || values.stream().anyMatch(v -> !Float.isFinite(v))) {
                        violations.add(
                                "user_vector.values",
                                "must hold " + embeddings.dimension() + " finite values, got " + values.size());
                        yield null;
                    }
                    yield RankRequests.toArray(values);
                }
                case RECENT_ITEMS -> UserVectors.of(request.getRecentItems(), embeddings, "recent_items", violations);
                case QUERY_NOT_SET -> {
                    violations.add("query", "a user_vector or recent_items is required");
                    yield null;
                }
            };
            violations.throwIfAny();
            RetrieveResponse.Builder response =
                    RetrieveResponse.newBuilder().setModelVersion(lease.model().version());
            if (userVector != null) { // no known recent item: nothing personal to retrieve; the caller falls back
                for (ExactRetriever.Hit hit : ExactRetriever.topK(
                        embeddings, userVector, request.getTopK(), request.getExcludeItemIdsList())) {
                    response.addItems(ScoredItem.newBuilder()
                            .setItemId(embeddings.itemIds()[hit.row()])
                            .setScore(hit.score()));
                }
            }
            responses.onNext(response.build());
            responses.onCompleted();
        }
    }

    private ModelRegistry.Lease lease(String requestedVersion) {
        Optional<ModelRegistry.Lease> lease = registry.acquire();
        if (lease.isEmpty()) {
            String why = registry.status().lastError();
            throw Status.FAILED_PRECONDITION
                    .withDescription("no model bundle is loaded" + (why.isEmpty() ? "" : ": " + why))
                    .asRuntimeException();
        }
        if (!requestedVersion.isEmpty()
                && !requestedVersion.equals(lease.get().model().version())) {
            String serving = lease.get().model().version();
            lease.get().close();
            throw Status.NOT_FOUND
                    .withDescription("model version " + requestedVersion + " is not served (serving " + serving + ")")
                    .asRuntimeException();
        }
        return lease.get();
    }

    private static long deadlineNanos() {
        Deadline deadline = Context.current().getDeadline();
        return deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** The batcher's refusals as the statuses callers act on; anything else is left to the shared translation. */
    private Throwable asStatus(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return switch (cause) {
            case RankBatcher.QueueFullException full ->
                GrpcErrors.resourceExhausted(
                        full.getMessage(), properties.batching().retryAfterQueueFull());
            case RankBatcher.DeadlineExceededException late ->
                Status.DEADLINE_EXCEEDED.withDescription(late.getMessage()).asRuntimeException();
            case RankBatcher.StoppedException stopped ->
                Status.UNAVAILABLE
                        .withDescription("the service is shutting down")
                        .asRuntimeException();
            default -> cause;
        };
    }
}
