package io.recsys.recommendation.inference;

import io.grpc.StatusRuntimeException;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankCandidate;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RecentItems;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The inference-service over gRPC. The model's feature schema is asked on first use and then refreshed in the
 * background every few seconds (a new version may take other features), so a request waits for it at most once.
 */
@Component
public class GrpcModelClient implements ModelClient {

    private static final Logger log = LoggerFactory.getLogger(GrpcModelClient.class);

    private record CachedSchema(Optional<ModelSchema> schema, Instant fetchedAt) {}

    private final InferenceServiceGrpc.InferenceServiceBlockingStub stub;
    private final Duration schemaRefresh;
    private final Duration schemaTimeout;
    private final Clock clock;
    private final AtomicReference<CachedSchema> cached = new AtomicReference<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();

    public GrpcModelClient(
            InferenceServiceGrpc.InferenceServiceBlockingStub stub, ModelSchemaProperties properties, Clock clock) {
        this.stub = stub;
        this.schemaRefresh = properties.refresh();
        this.schemaTimeout = properties.timeout();
        this.clock = clock;
    }

    @Override
    public Optional<ModelSchema> schema() {
        CachedSchema current = cached.get();
        if (current == null) {
            return fetchSchema(null);
        }
        if (current.fetchedAt().plus(schemaRefresh).isBefore(clock.instant())
                && refreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("model-schema-refresh").start(() -> {
                try {
                    fetchSchema(current);
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return current.schema();
    }

    private Optional<ModelSchema> fetchSchema(CachedSchema current) {
        Instant now = clock.instant();
        Optional<ModelSchema> fresh;
        try {
            ModelInfo info = within(schemaTimeout).getModelInfo(GetModelInfoRequest.getDefaultInstance());
            fresh = info.getState() == ModelState.MODEL_STATE_SERVING
                    ? Optional.of(new ModelSchema(
                            info.getVersion(),
                            info.getUserFeatureNamesList(),
                            info.getItemFeatureNamesList(),
                            Map.copyOf(info.getCheapScoreWeightsMap()),
                            FeatureContract.from(info)))
                    : Optional.empty();
            fresh.ifPresent(schema -> warnOnce(schema, current));
        } catch (StatusRuntimeException e) {
            fresh = current == null
                    ? Optional.empty()
                    : current.schema(); // keep what we knew; the breaker judges the service
        }
        cached.set(new CachedSchema(fresh, now));
        return fresh;
    }

    /** A bundle trained on other co-occurrence rules than the feature-service's is served, but said so once. */
    private static void warnOnce(ModelSchema schema, CachedSchema previous) {
        boolean seen = previous != null
                && previous.schema()
                        .map(s -> s.version().equals(schema.version()))
                        .orElse(false);
        List<String> differences = schema.contract().writeSideDifferences();
        if (!seen && !differences.isEmpty()) {
            log.warn(
                    "model {} was trained on other co-occurrence rules than the platform's: {}",
                    schema.version(),
                    differences);
        }
    }

    @Override
    public List<ScoredItem> retrieve(
            List<String> recentItemIds, int topK, Collection<String> excluded, Duration timeout) {
        return within(timeout)
                .retrieve(RetrieveRequest.newBuilder()
                        .setRecentItems(RecentItems.newBuilder().addAllItemIds(recentItemIds))
                        .setTopK(topK)
                        .addAllExcludeItemIds(excluded)
                        .build())
                .getItemsList();
    }

    @Override
    public Scores rank(
            List<String> recentItemIds,
            float[] userFeatures,
            List<String> itemIds,
            float[][] itemFeatures,
            Duration timeout) {
        RankRequest.Builder request =
                RankRequest.newBuilder().setRecentItems(RecentItems.newBuilder().addAllItemIds(recentItemIds));
        for (float value : userFeatures) {
            request.addUserFeatures(value);
        }
        for (int i = 0; i < itemIds.size(); i++) {
            RankCandidate.Builder candidate = RankCandidate.newBuilder().setItemId(itemIds.get(i));
            for (float value : itemFeatures[i]) {
                candidate.addFeatures(value);
            }
            request.addCandidates(candidate);
        }
        RankResponse response = within(timeout).rank(request.build());
        float[] scores = new float[response.getScoresCount()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = response.getScores(i);
        }
        return new Scores(response.getModelVersion(), scores);
    }

    private InferenceServiceGrpc.InferenceServiceBlockingStub within(Duration timeout) {
        return stub.withDeadlineAfter(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }
}
