package io.recsys.localstack.demo;

/**
 * The shape of the generated demo shop.
 *
 * @param seed same seed, same shop, same shoppers, same events
 * @param items catalog size
 * @param users shoppers with a history
 * @param meanEventsPerUser average history length (heavy-tailed: a few shoppers do much more)
 * @param days the history spans this many days up to now
 */
public record DemoDataSpec(long seed, int items, int users, int meanEventsPerUser, int days) {

    public static DemoDataSpec standard() {
        return new DemoDataSpec(42, 500, 2_000, 15, 30);
    }

    public DemoDataSpec {
        if (items < 20 || users < 1 || meanEventsPerUser < 1 || days < 1) {
            throw new IllegalArgumentException("demo data needs at least 20 items, 1 user, 1 event per user and 1 day");
        }
    }
}
