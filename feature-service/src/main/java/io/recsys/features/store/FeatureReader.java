package io.recsys.features.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.features.v1.ItemNeighbors;
import io.recsys.contracts.features.v1.Popularity;
import io.recsys.contracts.features.v1.UserFeatures;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Reads features: one user and many items in a single round trip. */
@Component
public class FeatureReader {

    private final RedisLink link;
    private final Clock clock;
    private final FeatureStoreProperties properties;
    private final EventLogPartitions partitions;

    public FeatureReader(
            RedisLink link, Clock clock, FeatureStoreProperties properties, EventLogPartitions partitions) {
        this.link = link;
        this.clock = clock;
        this.properties = properties;
        this.partitions = partitions;
    }

    public record Features(UserFeatures user, List<ItemFeatures> items) {}

    /** {@code userId} may be empty (items only); items come back in the order asked. One round trip. */
    public Features read(String userId, int recentLimit, List<String> itemIds) {
        boolean withUser = !userId.isEmpty();
        List<AsyncCommand<String, String, ?>> commands = new ArrayList<>(itemIds.size() + 2);
        AsyncCommand<String, String, List<String>> recent = null;
        AsyncCommand<String, String, Map<String, String>> profile = null;
        if (withUser) {
            recent = RedisLink.async(new Command<>(
                    CommandType.LRANGE,
                    new ValueListOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8)
                            .addKey(FeatureKeys.userRecent(partitions, userId))
                            .add(0)
                            .add(recentLimit - 1)));
            profile = hashOf(FeatureKeys.userProfile(partitions, userId));
            commands.add(recent);
            commands.add(profile);
        }
        List<AsyncCommand<String, String, List<String>>> itemFields = new ArrayList<>(itemIds.size());
        for (String itemId : itemIds) {
            AsyncCommand<String, String, List<String>> fields = RedisLink.async(new Command<>(
                    CommandType.HMGET,
                    new ValueListOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8)
                            .addKey(FeatureKeys.item(itemId))
                            .add(FeatureKeys.POPULARITY)
                            .add(FeatureKeys.UPDATED)
                            .add(FeatureKeys.CATALOG)
                            .add(DecayWindow.LAST_HOUR.itemField())
                            .add(DecayWindow.LAST_DAY.itemField())
                            .add(DecayWindow.LAST_WEEK.itemField())
                            .add(FeatureKeys.ITEM_LANDMARK)));
            itemFields.add(fields);
            commands.add(fields);
        }
        link.run(commands);
        long now = clock.millis();

        long staleBefore = now - properties.staleAfter().toMillis();
        UserFeatures user = withUser
                ? userFeatures(userId, valueOf(recent, List.of()), valueOf(profile, Map.of()), staleBefore)
                : UserFeatures.getDefaultInstance();
        List<ItemFeatures> items = new ArrayList<>(itemIds.size());
        for (int i = 0; i < itemIds.size(); i++) {
            items.add(itemFeatures(itemIds.get(i), valueOf(itemFields.get(i), List.of()), now, staleBefore));
        }
        return new Features(user, items);
    }

    private static AsyncCommand<String, String, Map<String, String>> hashOf(String key) {
        return RedisLink.async(new Command<>(
                CommandType.HGETALL,
                new MapOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).addKey(key)));
    }

    private static String field(List<String> values, int index) {
        return index < values.size() ? values.get(index) : null;
    }

    private static <T> T valueOf(AsyncCommand<String, String, T> command, T empty) {
        T value = command.getOutput().get();
        return value == null ? empty : value;
    }

    /** All-time popularity, best first, skipping {@code excluded}. */
    public List<ScoredItem> popular(int limit, Set<String> excluded) {
        return top(FeatureKeys.POPULAR_ALL_TIME, limit + excluded.size(), 1.0).stream()
                .filter(item -> !excluded.contains(item.getItemId()))
                .limit(limit)
                .toList();
    }

    /** Decayed popularity over {@code window} as of now, best first, skipping {@code excluded}. */
    public List<ScoredItem> popular(DecayWindow window, int limit, Set<String> excluded) {
        long now = clock.millis();
        OptionalLong landmark = landmark();
        if (landmark.isEmpty()) {
            return List.of();
        }
        double scale = window.valueAt(1.0, landmark.getAsLong(), now);
        return top(FeatureKeys.popular(window), limit + excluded.size(), scale).stream()
                .filter(item -> !excluded.contains(item.getItemId()))
                .limit(limit)
                .toList();
    }

    /**
     * Items rising fastest: weighted events per hour over the last hour minus their rate over the last week, among the
     * hour's most popular; only items above their usual rate qualify.
     */
    public List<ScoredItem> trending(int limit, Set<String> excluded) {
        long now = clock.millis();
        OptionalLong landmark = landmark();
        if (landmark.isEmpty()) {
            return List.of();
        }
        List<ScoredItem> candidates = top(
                FeatureKeys.popular(DecayWindow.LAST_HOUR),
                4 * limit + excluded.size(),
                DecayWindow.LAST_HOUR.valueAt(1.0, landmark.getAsLong(), now));
        if (candidates.isEmpty()) {
            return List.of();
        }
        String[] members = candidates.stream().map(ScoredItem::getItemId).toArray(String[]::new);
        List<Double> weekly = link.call(redis -> redis.zmscore(FeatureKeys.popular(DecayWindow.LAST_WEEK), members));
        double weekScale = DecayWindow.LAST_WEEK.valueAt(1.0, landmark.getAsLong(), now);
        double millisPerHour = 3_600_000.0;
        List<ScoredItem> rising = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            ScoredItem candidate = candidates.get(i);
            Double stored = weekly.get(i);
            double week = (stored == null ? 0.0 : stored) * weekScale;
            double surplus = (DecayWindow.LAST_HOUR.rate(candidate.getScore()) - DecayWindow.LAST_WEEK.rate(week))
                    * millisPerHour;
            if (surplus > 0 && !excluded.contains(candidate.getItemId())) {
                rising.add(ScoredItem.newBuilder()
                        .setItemId(candidate.getItemId())
                        .setScore(surplus)
                        .build());
            }
        }
        rising.sort(java.util.Comparator.comparingDouble(ScoredItem::getScore).reversed());
        return rising.size() > limit ? rising.subList(0, limit) : rising;
    }

    /** Items whose features changed at or after {@code sinceMillis}, oldest change first, and where to go on. */
    public record ChangedItems(List<ItemFeatures> items, long nextSinceMillis, boolean more) {}

    /**
     * One page of the change feed: up to {@code limit} items changed at or after {@code sinceMillis}, completed with
     * every other item of the page's last millisecond (a page never splits one, so paging by time loses nothing).
     */
    public ChangedItems changedItems(long sinceMillis, int limit) {
        List<ScoredValue<String>> page = link.call(redis -> redis.zrangebyscoreWithScores(
                FeatureKeys.CHANGED_ITEMS,
                Range.from(Range.Boundary.including(sinceMillis), Range.Boundary.unbounded()),
                Limit.create(0, limit)));
        if (page.isEmpty()) {
            return new ChangedItems(List.of(), sinceMillis, false);
        }
        boolean more = page.size() >= limit;
        long last = (long) page.getLast().getScore();
        List<String> ids = new ArrayList<>(page.size());
        for (ScoredValue<String> entry : page) {
            if (!more || (long) entry.getScore() < last) {
                ids.add(entry.getValue());
            }
        }
        if (more) {
            link.call(redis -> redis.zrangebyscore(FeatureKeys.CHANGED_ITEMS, Range.create(last, last)))
                    .forEach(ids::add);
        }
        return new ChangedItems(read("", 0, ids).items(), last + 1, more);
    }

    /** Each item's strongest co-occurrence neighbours, best first, in one round trip. */
    public List<ItemNeighbors> neighbours(List<String> itemIds, int limitPerItem) {
        List<AsyncCommand<String, String, Map<String, String>>> commands = new ArrayList<>(itemIds.size());
        for (String itemId : itemIds) {
            commands.add(hashOf(FeatureKeys.neighbours(itemId)));
        }
        link.run(commands);
        List<ItemNeighbors> answer = new ArrayList<>(itemIds.size());
        for (int i = 0; i < itemIds.size(); i++) {
            Map<String, String> neighbours = valueOf(commands.get(i), Map.of());
            ItemNeighbors.Builder item = ItemNeighbors.newBuilder()
                    .setItemId(itemIds.get(i))
                    .setStatus(
                            neighbours.isEmpty()
                                    ? FeatureStatus.FEATURE_STATUS_NOT_FOUND
                                    : FeatureStatus.FEATURE_STATUS_PRESENT);
            strongest(neighbours, limitPerItem).forEach(item::addNeighbors);
            answer.add(item.build());
        }
        return answer;
    }

    /**
     * The {@code limit} strongest neighbours, strongest first; ties: the greater id first, as a sorted set has them.
     */
    static List<ScoredItem> strongest(Map<String, String> neighbours, int limit) {
        List<ScoredItem> ranked = new ArrayList<>(neighbours.size());
        neighbours.forEach((id, weight) -> ranked.add(ScoredItem.newBuilder()
                .setItemId(id)
                .setScore(Double.parseDouble(weight))
                .build()));
        ranked.sort(java.util.Comparator.comparingDouble(ScoredItem::getScore)
                .thenComparing(ScoredItem::getItemId)
                .reversed());
        return ranked.size() > limit ? ranked.subList(0, limit) : ranked;
    }

    private List<ScoredItem> top(String key, int count, double scale) {
        List<ScoredValue<String>> top = link.call(redis -> redis.zrevrangeWithScores(key, 0, count - 1));
        List<ScoredItem> items = new ArrayList<>(top.size());
        for (ScoredValue<String> entry : top) {
            items.add(ScoredItem.newBuilder()
                    .setItemId(entry.getValue())
                    .setScore(entry.getScore() * scale)
                    .build());
        }
        return items;
    }

    private OptionalLong landmark() {
        String value = link.call(redis -> redis.get(FeatureKeys.POPULARITY_LANDMARK));
        return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
    }

    private static FeatureStatus freshness(String updatedMillis, long staleBefore) {
        return updatedMillis != null && Long.parseLong(updatedMillis) < staleBefore
                ? FeatureStatus.FEATURE_STATUS_STALE
                : FeatureStatus.FEATURE_STATUS_PRESENT;
    }

    private static UserFeatures userFeatures(
            String userId, List<String> recent, Map<String, String> profile, long staleBefore) {
        UserFeatures.Builder user = UserFeatures.newBuilder().setUserId(userId);
        if (recent.isEmpty() && profile.isEmpty()) {
            return user.setStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND).build();
        }
        user.setStatus(freshness(profile.get(FeatureKeys.UPDATED), staleBefore));
        recent.forEach(encoded -> user.addRecent(RecentInteraction.decode(encoded)));
        profile.forEach((field, value) -> {
            if (field.startsWith(FeatureKeys.COUNT_PREFIX)) {
                user.putEventCounts(field.substring(FeatureKeys.COUNT_PREFIX.length()), Long.parseLong(value));
            }
        });
        timestamp(profile, FeatureKeys.LAST_ACTIVE).ifPresent(user::setLastActiveAt);
        timestamp(profile, FeatureKeys.UPDATED).ifPresent(user::setUpdatedAt);
        return user.build();
    }

    /** {@code fields}: pop, updated, cat, d:1h, d:24h, d:7d, dL, as read by HMGET. */
    private static ItemFeatures itemFeatures(String itemId, List<String> fields, long now, long staleBefore) {
        String popularity = field(fields, 0);
        String updated = field(fields, 1);
        String catalog = field(fields, 2);
        ItemFeatures.Builder item = ItemFeatures.newBuilder().setItemId(itemId);
        item.setStatus(popularity == null ? FeatureStatus.FEATURE_STATUS_NOT_FOUND : freshness(updated, staleBefore));
        if (popularity != null) {
            String landmark = field(fields, 6);
            long landmarkMillis = landmark == null ? now : Long.parseLong(landmark);
            item.setPopularity(Popularity.newBuilder()
                    .setAllTime(Double.parseDouble(popularity))
                    .setLastHour(decayed(DecayWindow.LAST_HOUR, field(fields, 3), landmarkMillis, now))
                    .setLastDay(decayed(DecayWindow.LAST_DAY, field(fields, 4), landmarkMillis, now))
                    .setLastWeek(decayed(DecayWindow.LAST_WEEK, field(fields, 5), landmarkMillis, now)));
        }
        if (updated != null) {
            item.setUpdatedAt(EventLogCodec.toTimestamp(Instant.ofEpochMilli(Long.parseLong(updated))));
        }
        if (catalog != null) {
            try {
                item.setCatalog(Item.parseFrom(Base64.getDecoder().decode(catalog)))
                        .setCatalogStatus(FeatureStatus.FEATURE_STATUS_PRESENT);
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                throw new IllegalStateException("unreadable catalog entry of item " + itemId, e);
            }
        } else {
            item.setCatalogStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        }
        return item.build();
    }

    private static double decayed(DecayWindow window, String stored, long landmarkMillis, long now) {
        return stored == null ? 0 : window.valueAt(Double.parseDouble(stored), landmarkMillis, now);
    }

    private static Optional<Timestamp> timestamp(Map<String, String> hash, String field) {
        String millis = hash.get(field);
        return millis == null
                ? Optional.empty()
                : Optional.of(EventLogCodec.toTimestamp(Instant.ofEpochMilli(Long.parseLong(millis))));
    }
}
