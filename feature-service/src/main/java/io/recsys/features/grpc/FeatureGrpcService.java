package io.recsys.features.grpc;

import io.grpc.stub.StreamObserver;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.GetChangedItemsRequest;
import io.recsys.contracts.features.v1.GetChangedItemsResponse;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetFeaturesResponse;
import io.recsys.contracts.features.v1.GetItemNeighborsRequest;
import io.recsys.contracts.features.v1.GetItemNeighborsResponse;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.GetPopularItemsResponse;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.features.store.DecayWindow;
import io.recsys.features.store.FeatureReader;
import io.recsys.features.store.FeatureStoreProperties;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;

/** The feature store's gRPC face. */
@Service
public class FeatureGrpcService extends FeatureServiceGrpc.FeatureServiceImplBase {

    static final int DEFAULT_NEIGHBOURS = 20;

    private final FeatureReader reader;
    private final FeatureRequestValidator validator;
    private final FeatureStoreProperties properties;
    private final Clock clock;

    public FeatureGrpcService(
            FeatureReader reader, FeatureRequestValidator validator, FeatureStoreProperties properties, Clock clock) {
        this.reader = reader;
        this.validator = validator;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void getFeatures(GetFeaturesRequest request, StreamObserver<GetFeaturesResponse> responses) {
        validator.check(request);
        int recentLimit = request.getRecentLimit() == 0 ? properties.recentItemsServed() : request.getRecentLimit();
        FeatureReader.Features features = reader.read(request.getUserId(), recentLimit, request.getItemIdsList());
        GetFeaturesResponse.Builder response =
                GetFeaturesResponse.newBuilder().setUser(features.user()).addAllItems(features.items());
        if (request.getNeighbourSeeds() > 0) {
            List<String> seeds = features.user().getRecentList().stream()
                    .map(Interaction::getItemId)
                    .distinct()
                    .limit(request.getNeighbourSeeds())
                    .toList();
            if (!seeds.isEmpty()) {
                response.addAllSeedNeighbors(reader.neighbours(seeds, neighboursLimit(request.getNeighboursPerSeed())));
            }
        }
        responses.onNext(response.build());
        responses.onCompleted();
    }

    @Override
    public void getPopularItems(GetPopularItemsRequest request, StreamObserver<GetPopularItemsResponse> responses) {
        validator.check(request);
        PopularityWindow window = request.getWindow() == PopularityWindow.POPULARITY_WINDOW_UNSPECIFIED
                ? PopularityWindow.POPULARITY_WINDOW_ALL_TIME
                : request.getWindow();
        Set<String> excluded = new HashSet<>(request.getExcludeItemIdsList());
        List<ScoredItem> items = switch (window) {
            case POPULARITY_WINDOW_LAST_HOUR -> reader.popular(DecayWindow.LAST_HOUR, request.getLimit(), excluded);
            case POPULARITY_WINDOW_LAST_DAY -> reader.popular(DecayWindow.LAST_DAY, request.getLimit(), excluded);
            case POPULARITY_WINDOW_LAST_WEEK -> reader.popular(DecayWindow.LAST_WEEK, request.getLimit(), excluded);
            case POPULARITY_WINDOW_TRENDING -> reader.trending(request.getLimit(), excluded);
            default -> reader.popular(request.getLimit(), excluded);
        };
        responses.onNext(GetPopularItemsResponse.newBuilder()
                .addAllItems(items)
                .setWindow(window)
                .setAsOf(EventLogCodec.toTimestamp(clock.instant()))
                .build());
        responses.onCompleted();
    }

    @Override
    public void getChangedItems(GetChangedItemsRequest request, StreamObserver<GetChangedItemsResponse> responses) {
        validator.check(request);
        int limit = request.getLimit() == 0 ? properties.maxItemsPerRequest() : request.getLimit();
        FeatureReader.ChangedItems changed = reader.changedItems(request.getChangedSinceMillis(), limit);
        responses.onNext(GetChangedItemsResponse.newBuilder()
                .addAllItems(changed.items())
                .setNextSinceMillis(changed.nextSinceMillis())
                .setMore(changed.more())
                .setReadAt(EventLogCodec.toTimestamp(clock.instant()))
                .build());
        responses.onCompleted();
    }

    @Override
    public void getItemNeighbors(GetItemNeighborsRequest request, StreamObserver<GetItemNeighborsResponse> responses) {
        validator.check(request);
        int limit = neighboursLimit(request.getLimitPerItem());
        responses.onNext(GetItemNeighborsResponse.newBuilder()
                .addAllItems(reader.neighbours(request.getItemIdsList(), limit))
                .setLimitPerItem(limit)
                .build());
        responses.onCompleted();
    }

    /** The neighbours per item a caller gets for {@code asked}: the default for 0, at most what the store keeps. */
    private int neighboursLimit(int asked) {
        return Math.min(asked == 0 ? DEFAULT_NEIGHBOURS : asked, properties.neighboursKept());
    }
}
