package io.recsys.localstack.demo;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded, plausible shop: a catalog over a dozen categories whose popularity follows a Zipf law, shoppers with one or
 * two favourite categories and heavy-tailed activity, and a funnel of event types (many views, fewer clicks and carts,
 * few purchases and ratings). Deterministic per seed.
 */
public final class DemoDataGenerator {

    private static final String[] CATEGORIES = {
        "kitchen",
        "garden",
        "toys",
        "books",
        "lighting",
        "stationery",
        "textiles",
        "bath",
        "outdoor",
        "party",
        "storage",
        "gifts"
    };
    private static final String[] ADJECTIVES = {
        "Vintage",
        "Classic",
        "Rustic",
        "Modern",
        "Retro",
        "Mini",
        "Large",
        "Bright",
        "Soft",
        "Hand-made",
        "Enamel",
        "Wooden",
        "Glass",
        "Ceramic",
        "Striped",
        "Floral"
    };
    private static final String[] NOUNS = {
        "Mug",
        "Lantern",
        "Tin",
        "Notebook",
        "Cushion",
        "Bag",
        "Candle",
        "Frame",
        "Jar",
        "Bowl",
        "Clock",
        "Garland",
        "Box",
        "Teapot",
        "Doormat",
        "Coaster"
    };
    private static final double ZIPF_EXPONENT = 1.05;
    private static final double FAVOURITE_CATEGORY_SHARE = 0.7;

    private DemoDataGenerator() {}

    public record DemoData(List<Item> items, List<Event> events, List<String> userIds) {}

    public static DemoData generate(DemoDataSpec spec, Instant now) {
        SplittableRandom random = new SplittableRandom(spec.seed());
        List<Item> items = catalog(spec, random);
        // popularity rank is independent of catalog order
        List<Integer> byPopularity = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            byPopularity.add(i);
        }
        Collections.shuffle(byPopularity, new java.util.Random(spec.seed()));
        double[] cumulative = zipfCumulative(items.size());

        List<Event> events = new ArrayList<>();
        List<String> userIds = new ArrayList<>();
        Instant start = now.minus(Duration.ofDays(spec.days()));
        long spanMillis = Duration.ofDays(spec.days()).toMillis();
        int eventNumber = 0;
        for (int u = 0; u < spec.users(); u++) {
            String userId = String.format(Locale.ROOT, "user-%05d", u + 1);
            userIds.add(userId);
            String favourite = CATEGORIES[random.nextInt(CATEGORIES.length)];
            String second = CATEGORIES[random.nextInt(CATEGORIES.length)];
            int count = historyLength(spec.meanEventsPerUser(), random);
            long t = start.toEpochMilli() + (long) (random.nextDouble() * spanMillis * 0.5);
            String session = userId + "-s1";
            for (int e = 0; e < count; e++) {
                Item item = pickItem(items, byPopularity, cumulative, random, favourite, second);
                long gap = (long) (-Math.log(1 - random.nextDouble()) * spanMillis / (2.0 * Math.max(count, 1)));
                if (gap > Duration.ofMinutes(30).toMillis()) {
                    session = userId + "-s" + (e + 2);
                }
                t = Math.min(t + gap, now.toEpochMilli() - 1_000);
                events.add(event(
                        spec.seed(),
                        ++eventNumber,
                        userId,
                        item.getItemId(),
                        random,
                        Instant.ofEpochMilli(t),
                        session));
            }
        }
        return new DemoData(items, events, userIds);
    }

    private static List<Item> catalog(DemoDataSpec spec, SplittableRandom random) {
        List<Item> items = new ArrayList<>(spec.items());
        for (int i = 0; i < spec.items(); i++) {
            String category = CATEGORIES[i % CATEGORIES.length];
            double price = Math.round(Math.exp(1.2 + random.nextGaussian() * 0.8) * 100) / 100.0;
            items.add(Item.newBuilder()
                    .setItemId(String.format(Locale.ROOT, "sku-%05d", i + 1))
                    .setTitle(ADJECTIVES[random.nextInt(ADJECTIVES.length)] + " " + NOUNS[random.nextInt(NOUNS.length)])
                    .setCategory(category)
                    .setPrice(Math.max(0.5, price))
                    .setCurrency("GBP")
                    .setAvailable(random.nextDouble() > 0.03)
                    .putAttributes("colour", NOUNS[random.nextInt(4)].length() % 2 == 0 ? "red" : "blue")
                    .build());
        }
        return items;
    }

    private static double[] zipfCumulative(int n) {
        double[] cumulative = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1.0 / Math.pow(rank, ZIPF_EXPONENT);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static Item pickItem(
            List<Item> items,
            List<Integer> byPopularity,
            double[] cumulative,
            SplittableRandom random,
            String favourite,
            String second) {
        boolean inFavourites = random.nextDouble() < FAVOURITE_CATEGORY_SHARE;
        for (int attempt = 0; attempt < 50; attempt++) {
            int rank = java.util.Arrays.binarySearch(cumulative, random.nextDouble());
            Item item = items.get(byPopularity.get(rank < 0 ? -rank - 1 : rank));
            if (!inFavourites
                    || item.getCategory().equals(favourite)
                    || item.getCategory().equals(second)) {
                return item;
            }
        }
        return items.get(byPopularity.get(0));
    }

    // heavy-tailed: most shoppers do a little, a few do a lot
    private static int historyLength(int mean, SplittableRandom random) {
        double pareto = Math.pow(1 - random.nextDouble(), -1 / 2.5);
        return Math.max(1, (int) Math.round(mean * 0.6 * pareto));
    }

    private static Event event(
            long seed, int number, String userId, String itemId, SplittableRandom random, Instant at, String session) {
        double roll = random.nextDouble();
        EventType type = roll < 0.70
                ? EventType.EVENT_TYPE_VIEW
                : roll < 0.85
                        ? EventType.EVENT_TYPE_CLICK
                        : roll < 0.93
                                ? EventType.EVENT_TYPE_ADD_TO_CART
                                : roll < 0.98 ? EventType.EVENT_TYPE_PURCHASE : EventType.EVENT_TYPE_RATING;
        Event.Builder event = Event.newBuilder()
                .setEventId("demo-" + seed + "-" + number)
                .setUserId(userId)
                .setItemId(itemId)
                .setType(type)
                .setOccurredAt(EventLogCodec.toTimestamp(at))
                .setContext(EventContext.newBuilder()
                        .setSessionId(session)
                        .setDevice(random.nextDouble() < 0.6 ? "mobile" : "desktop"));
        if (type == EventType.EVENT_TYPE_PURCHASE) {
            event.setQuantity(1 + random.nextInt(3));
        }
        if (type == EventType.EVENT_TYPE_RATING) {
            event.setValue(1 + random.nextInt(5));
        }
        return event.build();
    }
}
