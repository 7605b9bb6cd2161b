package io.recsys.recommendation.features;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.GetChangedItemsRequest;
import io.recsys.contracts.features.v1.GetChangedItemsResponse;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetFeaturesResponse;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.features.v1.ItemNeighbors;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.contracts.features.v1.UserFeatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** The feature-service over gRPC. */
@Component
public class GrpcFeatureStore implements FeatureStore {

    private final FeatureServiceGrpc.FeatureServiceBlockingStub stub;

    public GrpcFeatureStore(FeatureServiceGrpc.FeatureServiceBlockingStub stub) {
        this.stub = stub;
    }

    @Override
    public UserProfile profile(String userId, ProfileQuery query, Duration timeout) {
        GetFeaturesResponse response = within(timeout)
                .getFeatures(GetFeaturesRequest.newBuilder()
                        .setUserId(userId)
                        .setRecentLimit(query.recentEvents())
                        .setNeighbourSeeds(query.seeds())
                        .setNeighboursPerSeed(query.neighboursPerSeed())
                        .build());
        UserFeatures user = response.getUser();
        if (user.getStatus() == FeatureStatus.FEATURE_STATUS_NOT_FOUND) {
            return UserProfile.unknown(userId);
        }
        List<RecentInteraction> recent =
                user.getRecentList().stream().map(GrpcFeatureStore::interaction).toList();
        long events = user.getEventCountsMap().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        Map<String, List<ScoredItem>> neighbours = LinkedHashMap.newLinkedHashMap(response.getSeedNeighborsCount());
        for (ItemNeighbors seed : response.getSeedNeighborsList()) {
            neighbours.put(seed.getItemId(), seed.getNeighborsList());
        }
        return new UserProfile(
                userId,
                true,
                recent,
                events,
                user.hasLastActiveAt()
                        ? Optional.of(EventLogCodec.toInstant(user.getLastActiveAt()))
                        : Optional.empty(),
                neighbours);
    }

    private static RecentInteraction interaction(Interaction interaction) {
        EventType kind = interaction.getType();
        String type = kind == EventType.EVENT_TYPE_UNSPECIFIED || kind == EventType.UNRECOGNIZED
                ? "unknown"
                : EventTypeNames.nameOf(kind, interaction.getCustomType());
        return new RecentInteraction(interaction.getItemId(), type);
    }

    @Override
    public Map<String, ItemSignals> items(List<String> itemIds, Duration timeout) {
        Map<String, ItemSignals> signals = new HashMap<>(itemIds.size() * 2);
        if (itemIds.isEmpty()) {
            return signals;
        }
        for (ItemFeatures item : within(timeout)
                .getFeatures(
                        GetFeaturesRequest.newBuilder().addAllItemIds(itemIds).build())
                .getItemsList()) {
            signals(item).ifPresent(found -> signals.put(found.itemId(), found));
        }
        return signals;
    }

    @Override
    public ChangedItems changedItems(long sinceMillis, int limit, Duration timeout) {
        GetChangedItemsResponse response = within(timeout)
                .getChangedItems(GetChangedItemsRequest.newBuilder()
                        .setChangedSinceMillis(sinceMillis)
                        .setLimit(limit)
                        .build());
        List<ItemSignals> items = new ArrayList<>(response.getItemsCount());
        response.getItemsList().forEach(item -> signals(item).ifPresent(items::add));
        return new ChangedItems(
                items,
                EventLogCodec.toInstant(response.getReadAt()).toEpochMilli(),
                response.getNextSinceMillis(),
                response.getMore());
    }

    /** What ranking uses of an item's features; empty when the store knows nothing of it. */
    private static Optional<ItemSignals> signals(ItemFeatures item) {
        boolean hasCatalog = item.getCatalogStatus() != FeatureStatus.FEATURE_STATUS_NOT_FOUND;
        if (item.getStatus() == FeatureStatus.FEATURE_STATUS_NOT_FOUND && !hasCatalog) {
            return Optional.empty();
        }
        var catalog = item.getCatalog();
        return Optional.of(new ItemSignals(
                item.getItemId(),
                item.getPopularity().getAllTime(),
                item.getPopularity().getLastWeek(),
                item.getPopularity().getLastDay(),
                catalog.hasPrice() ? catalog.getPrice() : 0.0,
                !catalog.hasAvailable() || catalog.getAvailable(),
                catalog.getCategory(),
                catalog.getAttributesMap()));
    }

    @Override
    public List<ScoredItem> popular(PopularityWindow window, int limit, Duration timeout) {
        return within(timeout)
                .getPopularItems(GetPopularItemsRequest.newBuilder()
                        .setWindow(window)
                        .setLimit(limit)
                        .build())
                .getItemsList();
    }

    private FeatureServiceGrpc.FeatureServiceBlockingStub within(Duration timeout) {
        return stub.withDeadlineAfter(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }
}
